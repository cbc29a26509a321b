/* frame_eval.c -- churnkit-eval on a table, its reports as strings, for the
 * Python package (see frame.h).  The options are churnkit-eval's words;
 * the work is ck_eval_models and the writers churnkit-eval uses
 * (ck_eval_to_json, ck_report_eval, ck_report_html). */
#include "churnkit/eval.h"
#include "churnkit/frame.h"
#include "churnkit/html.h"
#include "churnkit/jsonio.h"
#include "churnkit/lifetime.h"
#include "churnkit/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --top N, P% or baseline, as churnkit-eval reads it. */
static ck_status parse_top(ck_eval_options *o, const char *arg, ck_error *err)
{
    size_t len = strlen(arg);
    char *end;
    double v = strtod(arg, &end);
    if (strcmp(arg, "baseline") == 0) {
        o->top_rule = CK_TOP_BASELINE;
    } else if (len > 1 && arg[len - 1] == '%' && end == arg + len - 1 && v > 0 && v <= 100) {
        o->top_rule = CK_TOP_SHARE;
        o->top_value = v / 100;
    } else if (end == arg + len && len > 0 && v >= 1 && v <= 1e15 && v == floor(v)) {
        o->top_rule = CK_TOP_COUNT;
        o->top_value = v;
    } else {
        return ck_error_set(err, CK_EUSAGE, "--top '%s': give a row count (such as 500), a "
                                            "share (such as 10%%) or 'baseline'", arg);
    }
    return CK_OK;
}

static ck_status set_option(ck_eval_options *o, const char *name, const char *v, ck_error *err)
{
    if (strcmp(name, "label") == 0)
        o->label = v;
    else if (strcmp(name, "positive") == 0)
        o->positive = v;
    else if (strcmp(name, "target") == 0)
        return ck_eval_target_parse(&o->target, v, err);
    else if (strcmp(name, "top") == 0)
        return parse_top(o, v, err);
    else if (strcmp(name, "no-target") == 0)
        o->no_target = strcmp(v, "1") == 0;
    else if (strcmp(name, "value-change") == 0)
        o->value_change = strcmp(v, "1") == 0;
    else if (strcmp(name, "threads") == 0)
        o->threads = (size_t)strtoul(v, NULL, 10);
    else if (strcmp(name, "horizons") == 0) {
        ck_lifetime_options lo;
        ck_lifetime_options_init(&lo);
        ck_status st = ck_lifetime_parse_horizons(&lo, v, err);
        if (st != CK_OK)
            return st;
        o->nhorizons = lo.nhorizons;
        memcpy(o->horizon, lo.horizon, lo.nhorizons * sizeof *lo.horizon);
    } else
        return ck_error_set(err, CK_EUSAGE, "unknown option '%s' (churnkit-eval --help lists "
                                            "them; files are not options here)", name);
    return CK_OK;
}

static void write_text(FILE *f, const void *ev)
{
    ck_report_eval(f, ev);
}

static void write_html(FILE *f, const void *ev)
{
    ck_report_html(f, ev);
}

static ck_status texts(const ck_eval *ev, char **json, char **text, char **html, ck_error *err)
{
    if (json) {
        json_t *j = ck_eval_to_json(ev);
        *json = j ? ck_json_text(j) : NULL;
        json_decref(j);
        if (!*json)
            return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    if (text && !(*text = ck_frame_print(write_text, ev)))
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    if (html && !(*html = ck_frame_print(write_html, ev)))
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    return CK_OK;
}

ck_status ck_frame_evaluate(const ck_model *const *models, size_t n, const ck_model *baseline,
                            const ck_table *t, const char *const *names,
                            const char *const *values, size_t nopts, char **json, char **text,
                            char **html, char **warnings, ck_error *err)
{
    ck_eval_options o;
    ck_warnings w;
    ck_eval ev;
    ck_status st = CK_OK;
    char **dest[] = {json, text, html, warnings};
    for (size_t i = 0; i < 4; i++)
        if (dest[i])
            *dest[i] = NULL;
    ck_eval_options_init(&o);
    for (size_t i = 0; i < nopts && st == CK_OK; i++)
        st = set_option(&o, names[i], values[i], err);
    if (st != CK_OK)
        return st;
    ck_warnings_init(&w);
    o.warnings = &w;
    memset(&ev, 0, sizeof ev);
    st = ck_eval_models(&ev, models, n, baseline, t, &o, err);
    if (st == CK_OK) { /* on failure ev holds nothing to free */
        st = texts(&ev, json, text, html, err);
        ck_eval_fini(&ev);
    }
    if (warnings)
        *warnings = ck_frame_warnings_text(&w);
    ck_warnings_fini(&w);
    if (st != CK_OK)
        for (size_t i = 0; i < 3; i++)
            if (dest[i]) {
                free(dest[i][0]);
                *dest[i] = NULL;
            }
    return st;
}
