/* frame_score.c -- churnkit-predict's whole streaming pass (ck_score) with
 * its options as words, for the Python package's churnkit.score (see
 * frame.h): segments, horizons, value groups and drift come from the one
 * implementation the program uses. */
#include "churnkit/frame.h"
#include "churnkit/lifetime.h"
#include "churnkit/score.h"

#include <stdlib.h>
#include <string.h>


static ck_status set_direction(ck_score_options *o, const char *v, ck_error *err)
{
    if (strcmp(v, "up") == 0)
        o->reasons_direction = 1;
    else if (strcmp(v, "down") == 0)
        o->reasons_direction = -1;
    else if (strcmp(v, "both") == 0)
        o->reasons_direction = 0;
    else
        return ck_error_set(err, CK_EUSAGE, "--reasons-direction: up, down or both");
    return CK_OK;
}

static ck_status set_option(ck_score_options *o, const char *name, const char *v, ck_error *err)
{
    double d;
    ck_status st = CK_OK;
    if (strcmp(name, "id") == 0)
        o->id = v;
    else if (strcmp(name, "reasons") == 0) {
        if ((st = ck_frame_option_number(name, v, 0, 100, &d, err)) == CK_OK)
            o->reasons = (size_t)d;
    } else if (strcmp(name, "reasons-direction") == 0)
        st = set_direction(o, v, err);
    else if (strcmp(name, "risk-model") == 0)
        o->risk_model = v;
    else if (strcmp(name, "growth-model") == 0)
        o->growth_model = v;
    else if (strcmp(name, "growth-threshold") == 0)
        st = ck_frame_option_number(name, v, -1e12, 1e12, &o->growth_threshold, err);
    else if (strcmp(name, "risk-threshold") == 0)
        st = ck_frame_option_number(name, v, 0, 1, &o->risk_threshold, err);
    else if (strcmp(name, "no-segments") == 0)
        o->segments = strcmp(v, "1") != 0;
    else if (strcmp(name, "no-value-groups") == 0)
        o->value_groups = strcmp(v, "1") == 0 ? 0 : -1;
    else if (strcmp(name, "horizons") == 0)
        st = ck_lifetime_parse_horizons(&o->life, v, err);
    else if (strcmp(name, "mrr") == 0)
        o->mrr = v;
    else if (strcmp(name, "acquisition-cost") == 0)
        o->cost = v;
    else if (strcmp(name, "drift-threshold") == 0)
        st = ck_frame_option_number(name, v, 0, 100, &o->drift_threshold, err);
    else if (strcmp(name, "threads") == 0) {
        if ((st = ck_frame_option_number(name, v, 0, 1024, &d, err)) == CK_OK)
            o->threads = (size_t)d;
    } else
        st = ck_error_set(err, CK_EUSAGE, "unknown option '%s' (churnkit-predict --help lists "
                                          "them; files are not options here)", name);
    return st;
}

ck_status ck_frame_score_csv(ck_model *const *models, size_t n, const char *in, const char *out,
                             const char *const *names, const char *const *values, size_t nopts,
                             char **warnings, ck_error *err)
{
    ck_score_options o;
    ck_score_summary s;
    ck_warnings w;
    ck_status st = CK_OK;
    if (warnings)
        *warnings = NULL;
    ck_score_options_init(&o);
    for (size_t i = 0; i < nopts && st == CK_OK; i++)
        st = set_option(&o, names[i], values[i], err);
    if (st != CK_OK)
        return st;
    if (o.cost && !o.mrr)
        return ck_error_set(err, CK_EUSAGE, "--acquisition-cost needs --mrr (ROI is CLV / cost)");
    memset(&s, 0, sizeof s);
    ck_warnings_init(&w);
    st = ck_score(models, n, in, out, &o, &s, &w, err);
    ck_score_summary_fini(&s);
    if (warnings)
        *warnings = ck_frame_warnings_text(&w);
    ck_warnings_fini(&w);
    return st;
}
