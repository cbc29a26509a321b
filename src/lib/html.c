/* html.c -- the HTML evaluation report (see html.h). */
#include "churnkit/html.h"
#include "churnkit/coefs.h"
#include "churnkit/model.h"
#include "churnkit/svg.h"
#include "churnkit/version.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *css =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;"
    "max-width:1000px;color:#222;padding:0 16px}"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:"
    "1px solid #ddd;padding-bottom:4px}.meta{color:#555;margin:0 0 12px}"
    "table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 10px;text-align:right;"
    "border-bottom:1px solid #eee}th:first-child,td:first-child{text-align:left}"
    "th{background:#f6f6f6}.verdict{border:1px solid #ccc;border-radius:6px;padding:10px 14px;"
    "margin:12px 0}.pass{color:#0b6e3b;font-weight:600}.miss{color:#b3261e;font-weight:600}"
    ".warn{background:#fff6e0;border-left:4px solid #E69F00;padding:8px 12px;margin:8px 0}"
    ".charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}"
    "svg.chart{background:#fff;border:1px solid #e4e4e4;border-radius:4px}"
    "svg text{font-family:system-ui,sans-serif;fill:#333}svg .title{font-size:14px;"
    "font-weight:600}svg .label{font-size:12px}svg .tick,svg .legend{font-size:11px}"
    "svg .count{font-size:20px;font-weight:600}svg .small{font-size:10px}"
    "svg .grid{stroke:#eee}svg .frame{fill:none;stroke:#999}";

static void esc(FILE *o, const char *s)
{
    ck_html_escape(o, s);
}

static void cell(FILE *o, double v)
{
    if (isnan(v))
        fputs("<td>&ndash;</td>", o);
    else
        fprintf(o, "<td>%.4f</td>", v);
}

typedef struct col {
    const char *name;
    const ck_class_metrics *c;
    const ck_reg_metrics *r;
    const ck_eval_surv *s;
} col;

/* What the trivial baseline is called. */
static const char *trivial_name(const ck_eval *ev)
{
    return ev->task == CK_TASK_CLASSIFICATION ? "majority class"
           : ev->task == CK_TASK_SURVIVAL     ? "null model"
                                              : "training mean";
}

static size_t columns(const ck_eval *ev, col *cols, char *basename, size_t bsz)
{
    size_t n = 0;
    for (size_t i = 0; i < ev->nentries && n < 30; i++) {
        const ck_eval_entry *e = &ev->entries[i];
        cols[n++] = (col){e->name, &e->cls, &e->reg, &e->surv};
    }
    if (ev->baseline) {
        snprintf(basename, bsz, "%s (baseline)", ev->baseline->name);
        cols[n++] = (col){basename, &ev->baseline->cls, &ev->baseline->reg, &ev->baseline->surv};
    }
    cols[n++] = (col){trivial_name(ev), &ev->majority, &ev->mean_base, &ev->null};
    return n;
}

static void header_row(FILE *o, const col *cols, size_t n)
{
    fputs("<tr><th>metric</th>", o);
    for (size_t i = 0; i < n; i++) {
        fputs("<th>", o);
        esc(o, cols[i].name);
        fputs("</th>", o);
    }
    fputs("</tr>\n", o);
}

static void survival_table(FILE *o, const ck_eval *ev, const col *cols, size_t n);

static void summary_table(FILE *o, const ck_eval *ev)
{
    col cols[32];
    char basename[128];
    size_t n = columns(ev, cols, basename, sizeof basename);
    fputs("<table id=\"summary\">\n", o);
    header_row(o, cols, n);
    if (ev->task == CK_TASK_SURVIVAL) {
        survival_table(o, ev, cols, n);
        fputs("</table>\n", o);
        return;
    }
    if (ev->task == CK_TASK_REGRESSION) {
        static const char *names[] = {"RMSE", "MAE", "median absolute error", "R-squared",
                                      "direction accuracy", "&nbsp;&nbsp;among changed rows"};
        /* direction accuracy only for a change in value, where a sign
         * means something (the last two rows) */
        for (int m = 0; m < (ev->value_change ? 6 : 4); m++) {
            fprintf(o, "<tr><td>%s</td>", names[m]);
            for (size_t i = 0; i < n; i++) {
                const ck_reg_metrics *r = cols[i].r;
                double v[] = {r->rmse, r->mae, r->median_ae, r->r2, r->direction_accuracy,
                              r->direction_changed};
                cell(o, v[m]);
            }
            fputs("</tr>\n", o);
        }
        fputs("</table>\n", o);
        return;
    }
    static const char *names[] = {"accuracy", "balanced accuracy", "precision",
                                  "recall (sensitivity)", "F1", "specificity", "ROC AUC",
                                  "average precision", "log-loss", "Brier score",
                                  "calibration error (ECE)", "decision threshold"};
    for (int m = 0; m < 12; m++) {
        fprintf(o, "<tr><td>%s</td>", names[m]);
        for (size_t i = 0; i < n; i++) {
            const ck_class_metrics *c = cols[i].c;
            double v[] = {c->accuracy, c->balanced_accuracy, c->precision, c->recall, c->f1,
                          c->specificity, c->roc_auc, c->average_precision, c->log_loss,
                          c->brier, c->ece, c->threshold};
            cell(o, v[m]);
        }
        fputs("</tr>\n", o);
        if (m == 0) {
            fputs("<tr><td>&nbsp;&nbsp;95% interval</td>", o);
            for (size_t i = 0; i < n; i++)
                fprintf(o, "<td>[%.4f, %.4f]</td>", cols[i].c->accuracy_lo, cols[i].c->accuracy_hi);
            fputs("</tr>\n", o);
        }
    }
    fputs("</table>\n", o);
}

/* The verdict of an entry as a class and a word, and the remark after it. */
static void verdict_words(const ck_eval *ev, const ck_eval_entry *e, const char **cls,
                          const char **word, const char **remark)
{
    int ge = ev->target.op == CK_TARGET_GE;
    *cls = e->pass ? "pass" : "miss";
    *word = e->pass ? "PASS" : e->met ? "MET" : "MISSED";
    if (!e->met)
        *remark = isnan(e->value) ? " (the metric is undefined on this data)" : "";
    else if (ev->baseline_meets_target)
        *remark = ev->task == CK_TASK_CLASSIFICATION
                      ? " &mdash; but so does the majority class alone: no evidence of skill"
                  : ev->task == CK_TASK_SURVIVAL
                      ? " &mdash; but so does the null model alone: no evidence of skill"
                      : " &mdash; but so does the training mean alone: no evidence of skill";
    else if (!ev->target_interval)
        *remark = " (the metric has no interval to confirm it with)";
    else if (e->confirmed)
        *remark = ge ? " (confirmed: the whole 95% interval is above the target)"
                     : " (confirmed: the whole 95% interval is below the target)";
    else
        *remark = ge ? " (not confirmed: the 95% interval reaches below the target)"
                     : " (not confirmed: the 95% interval reaches above the target)";
}

static void verdict(FILE *o, const ck_eval *ev)
{
    const ck_eval_target *t = &ev->target;
    if (isnan(t->value))
        return;
    fputs("<div class=\"verdict\" id=\"verdict\"><b>Target: ", o);
    esc(o, t->metric);
    fprintf(o, " %s %.3f</b><ul>\n", t->op == CK_TARGET_GE ? "&ge;" : "&le;", t->value);
    for (size_t i = 0; i < ev->nentries; i++) {
        const ck_eval_entry *e = &ev->entries[i];
        const char *cls, *word, *remark;
        verdict_words(ev, e, &cls, &word, &remark);
        fputs("<li>", o);
        esc(o, e->name);
        fprintf(o, ": %.4f", e->value);
        if (ev->target_interval)
            fprintf(o, " [%.4f, %.4f]", e->lo, e->hi);
        fprintf(o, " &mdash; <span class=\"%s\">%s</span>%s</li>\n", cls, word, remark);
    }
    fputs("</ul>\n", o);
    if (ev->baseline_meets_target && ev->task == CK_TASK_CLASSIFICATION &&
        strcmp(t->metric, "accuracy") == 0) {
        fprintf(o, "<p class=\"warn\">Always answering the majority class is right %.4f of the "
                   "time, which meets the target by itself: on this data accuracy is <b>no "
                   "evidence of skill</b>. Judge the models by balanced accuracy and ROC AUC, "
                   "where the majority class scores 0.5.</p>\n",
                ev->majority.accuracy);
    } else if (ev->baseline_meets_target) {
        fprintf(o, "<p class=\"warn\">The %s alone scores %.4f on ", trivial_name(ev),
                ev->baseline_value);
        esc(o, t->metric);
        fputs(", which meets the target by itself: on this data ", o);
        esc(o, t->metric);
        fputs(" is <b>no evidence of skill</b>.</p>\n", o);
    }
    fputs("</div>\n", o);
}

static const char **entry_names(const ck_eval *ev, size_t *n)
{
    const char **names = malloc((ev->nentries + 1) * sizeof *names);
    if (!names)
        return NULL;
    for (*n = 0; *n < ev->nentries; (*n)++)
        names[*n] = ev->entries[*n].name;
    if (ev->baseline)
        names[(*n)++] = ev->baseline->name;
    return names;
}

/* Every entry and the baseline model, in chart order. */
static const ck_eval_entry *entry_at(const ck_eval *ev, size_t i)
{
    return i < ev->nentries ? &ev->entries[i] : ev->baseline;
}

static void roc_chart(FILE *o, const ck_eval *ev, size_t n, const char **names)
{
    ck_svg c;
    static const double d[2] = {0, 1};
    ck_svg_begin(&c, o, "roc", "ROC curve", "false positive rate", "true positive rate", 0, 1,
                 0, 1);
    ck_svg_line(&c, d, d, 2, 0, 1);
    char **legend = calloc(n ? n : 1, sizeof *legend);
    int complete = legend != NULL;
    for (size_t i = 0; i < n; i++) {
        const ck_eval_entry *e = entry_at(ev, i);
        ck_svg_line(&c, e->roc.x, e->roc.y, e->roc.n, i, 0);
        if (legend && (legend[i] = malloc(strlen(names[i]) + 32)))
            sprintf(legend[i], "%s (AUC %.3f)", names[i], e->cls.roc_auc);
        else
            complete = 0;
    }
    /* short of memory, the plain names rather than a legend with holes */
    ck_svg_legend(&c, complete ? (const char *const *)legend : names, n, 0);
    for (size_t i = 0; legend && i < n; i++)
        free(legend[i]);
    free(legend);
    ck_svg_end(&c);
}

/* Precision against recall, the positive share as the chance line.  The
 * legend goes under the chart: a precision-recall curve can pass through
 * any corner (high precision at low recall, the positive share at full
 * recall), so no corner is safe for it.  Each name carries the average
 * precision, the summary of the curve, as the ROC legend carries the AUC. */
static void pr_chart(FILE *o, const ck_eval *ev, size_t n, const char **names)
{
    ck_svg c;
    double prev = ev->n ? (double)ev->n_pos / (double)ev->n : 0;
    double bx[2] = {0, 1}, by[2] = {prev, prev};
    ck_svg_begin_rows(&c, o, "pr", "Precision-recall curve", "recall", "precision", 0, 1, 0, 1,
                      n);
    ck_svg_line(&c, bx, by, 2, 0, 1);
    char **legend = calloc(n ? n : 1, sizeof *legend);
    int complete = legend != NULL;
    for (size_t i = 0; i < n; i++) {
        const ck_eval_entry *e = entry_at(ev, i);
        ck_svg_line(&c, e->pr.x, e->pr.y, e->pr.n, i, 0);
        if (legend && (legend[i] = malloc(strlen(names[i]) + 32)))
            sprintf(legend[i], "%s (AP %.3f)", names[i], e->cls.average_precision);
        else
            complete = 0;
    }
    ck_svg_legend_below(&c, complete ? (const char *const *)legend : names, n, 0);
    for (size_t i = 0; legend && i < n; i++)
        free(legend[i]);
    free(legend);
    ck_svg_end(&c);
}

/* Each bin's row count, a row a model under the chart, under the bin's
 * middle: a point of 3 rows and one of 3,000 look alike, and only the
 * count tells how far to trust it. */
static void bin_counts(ck_svg *c, const ck_class_metrics *m, size_t row, size_t series)
{
    char buf[CK_RELIABILITY_BINS][24];
    const char *labels[CK_RELIABILITY_BINS];
    double mid[CK_RELIABILITY_BINS];
    for (int k = 0; k < CK_RELIABILITY_BINS; k++) {
        mid[k] = (k + 0.5) / CK_RELIABILITY_BINS;
        snprintf(buf[k], sizeof buf[k], "%zu", m->rel_count[k]);
        labels[k] = buf[k];
    }
    ck_svg_row_below(c, row, "rows", mid, labels, CK_RELIABILITY_BINS, series, "bincount");
}

static void reliability_chart(FILE *o, const ck_eval *ev, size_t n, const char **names)
{
    ck_svg c;
    static const double d[2] = {0, 1};
    size_t calibrated = 0; /* their curves before the map have counts too */
    for (size_t i = 0; i < n; i++)
        calibrated += entry_at(ev, i)->has_raw != 0;
    ck_svg_begin_rows(&c, o, "reliability", "Reliability diagram (10 bins)",
                      "mean predicted probability (rows in each bin below)",
                      "observed positive rate", 0, 1, 0, 1, n + calibrated);
    ck_svg_line(&c, d, d, 2, 0, 1);
    /* a calibrated model's curve before its map too, as a series of its own */
    const char **all = malloc(2 * (n ? n : 1) * sizeof *all);
    char (*before)[160] = malloc((n ? n : 1) * sizeof *before);
    size_t extra = 0;
    for (size_t i = 0; i < n; i++) {
        const ck_eval_entry *e = entry_at(ev, i);
        ck_svg_line(&c, e->cls.rel_mean_pred, e->cls.rel_obs_rate, CK_RELIABILITY_BINS, i, 0);
        ck_svg_points(&c, e->cls.rel_mean_pred, e->cls.rel_obs_rate, CK_RELIABILITY_BINS, i, 3);
        bin_counts(&c, &e->cls, i, i);
        if (all)
            all[i] = names[i];
    }
    for (size_t i = 0; all && before && i < n; i++) {
        const ck_eval_entry *e = entry_at(ev, i);
        if (!e->has_raw)
            continue;
        size_t s = n + extra;
        ck_svg_line(&c, e->raw.rel_mean_pred, e->raw.rel_obs_rate, CK_RELIABILITY_BINS, s, 0);
        ck_svg_points(&c, e->raw.rel_mean_pred, e->raw.rel_obs_rate, CK_RELIABILITY_BINS, s, 2);
        bin_counts(&c, &e->raw, s, s);
        snprintf(before[extra], sizeof before[extra], "%s before calibration", names[i]);
        all[n + extra] = before[extra];
        extra++;
    }
    ck_svg_legend(&c, all ? all : names, all ? n + extra : n, 1);
    free(all);
    free(before);
    ck_svg_end(&c);
}

static void gains_chart(FILE *o, const ck_eval *ev, size_t n, const char **names)
{
    ck_svg c;
    static const double d[2] = {0, 1};
    double x[CK_GAINS_BINS + 1], y[CK_GAINS_BINS + 1];
    ck_svg_begin(&c, o, "gains", "Cumulative gains", "share of rows, riskiest first",
                 "share of positives captured", 0, 1, 0, 1);
    ck_svg_line(&c, d, d, 2, 0, 1);
    for (size_t i = 0; i < n; i++) {
        const ck_eval_entry *e = entry_at(ev, i);
        x[0] = y[0] = 0;
        for (int k = 0; k < CK_GAINS_BINS; k++) {
            x[k + 1] = (k + 1) / (double)CK_GAINS_BINS;
            y[k + 1] = e->cls.gains[k];
        }
        ck_svg_line(&c, x, y, CK_GAINS_BINS + 1, i, 0);
        ck_svg_points(&c, x + 1, y + 1, CK_GAINS_BINS, i, 3);
    }
    ck_svg_legend(&c, names, n, 0);
    ck_svg_end(&c);
}

static void confusion_charts(FILE *o, const ck_eval *ev)
{
    for (size_t i = 0; i < ev->nentries; i++) {
        const ck_eval_entry *e = &ev->entries[i];
        char id[48], title[300];
        size_t counts[4] = {e->cls.cm.tp, e->cls.cm.fn, e->cls.cm.fp, e->cls.cm.tn};
        snprintf(id, sizeof id, "confusion-%zu", i);
        snprintf(title, sizeof title, "Confusion matrix: %s (threshold %.3g)", e->name,
                 e->threshold);
        fputs("<figure>", o);
        ck_svg_confusion(o, id, title, ev->positive, ev->negative, counts);
        fputs("</figure>\n", o);
    }
}

typedef struct term {
    const char *name;
    double coef, lo, hi;
} term;

static int by_size(const void *a, const void *b)
{
    double x = fabs(((const term *)a)->coef), y = fabs(((const term *)b)->coef);
    return (x < y) - (x > y);
}

/* What the forest's axis measures, short enough for the axis: the
 * measure's own title, or for coefficients the caption says more. */
static const char *axis_label(const ck_terms *tt, int aux)
{
    if (aux)
        return tt->aux_title;
    if (strcmp(tt->kind, "coefficients") != 0)
        return tt->title;
    return tt->approximate ? "approximate coefficient with 95% interval"
                           : "coefficient with 95% interval";
}

/* Under a coefficient chart: the scale (a level is a contrast with its
 * reference level, not a standardized number), why the intervals are
 * approximate, and the aliased terms (R's NA), which have no point. */
static void coefficient_caption(FILE *o, const ck_terms *tt, int aux, const ck_pipeline *pl)
{
    if (aux || strcmp(tt->kind, "coefficients") != 0)
        return;
    fputs("<figcaption>On the model's scale: a number per standard deviation, a level against "
          "its reference level.", o);
    size_t ns = 0;
    for (size_t k = 0; pl && k < pl->nfeat; k++)
        if (pl->feat[k].spline) {
            fputs(ns++ ? ", " : " Spline variables are drawn as curves below, not here (their "
                                "basis columns' coefficients mean nothing one by one): ",
                  o);
            ck_html_escape(o, pl->feat[k].name);
        }
    if (ns)
        fputc('.', o);
    if (tt->approximate)
        fputs(" Intervals approximate (penalized or weighted).", o);
    size_t n = 0;
    for (size_t j = 0; j < tt->n; j++)
        if (tt->term[j].aliased) {
            fputs(n++ ? ", " : " Not drawn, aliased (NA: a combination of the columns before "
                               "it, not estimated): ",
                  o);
            ck_html_escape(o, tt->term[j].name);
        }
    fputs("</figcaption>", o);
}

/* Whether `name` is one of the spline basis columns of pl. */
static int basis_term(const ck_pipeline *pl, const char *name)
{
    for (size_t k = 0; pl && k < pl->nfeat; k++) {
        const ck_feature *f = &pl->feat[k];
        for (size_t j = 0; f->spline && j < ck_spline_width(f->spline); j++)
            if (strcmp(pl->encoded[f->offset + j], name) == 0)
                return 1;
    }
    return 0;
}

/* One chart of the terms' values (aux: their second measure, without
 * intervals), the 30 largest; a spline's basis columns left out (its
 * curve is the reading: spline_chart). */
static void terms_chart(FILE *o, const ck_terms *tt, int aux, const char *model, size_t idx,
                        const ck_pipeline *pl)
{
    term *t = malloc((tt->n ? tt->n : 1) * sizeof *t);
    size_t n = 0;
    for (size_t j = 0; t && j < tt->n; j++)
        if (!tt->term[j].intercept && !tt->term[j].aliased && /* an NA has no point to draw */
            !basis_term(pl, tt->term[j].name))
            t[n++] = aux ? (term){tt->term[j].name, tt->term[j].aux, NAN, NAN}
                         : (term){tt->term[j].name, tt->term[j].value, tt->term[j].lo,
                                  tt->term[j].hi};
    size_t shown = n;
    if (shown > 30)
        shown = 30;
    const char **names = malloc((shown ? shown : 1) * sizeof *names);
    double *c = malloc((shown ? shown : 1) * sizeof *c);
    double *lo = malloc((shown ? shown : 1) * sizeof *lo);
    double *hi = malloc((shown ? shown : 1) * sizeof *hi);
    if (n > 0 && t && names && c && lo && hi) {
        qsort(t, n, sizeof *t, by_size);
        for (size_t j = 0; j < shown; j++) {
            names[j] = t[j].name;
            c[j] = t[j].coef;
            lo[j] = t[j].lo;
            hi[j] = t[j].hi;
        }
        char id[48], title[300];
        snprintf(id, sizeof id, "%s-%zu", aux ? "aux" : "coefficients", idx);
        snprintf(title, sizeof title, "%s: %s (%zu largest of %zu)",
                 aux ? tt->aux_title : tt->title, model, shown, n);
        fputs("<figure>", o);
        ck_svg_forest(o, id, title, axis_label(tt, aux), names, c, lo, hi, shown);
        coefficient_caption(o, tt, aux, pl);
        fputs("</figure>\n", o);
    }
    free(t);
    free(names);
    free(c);
    free(lo);
    free(hi);
}

/* The model's coefficients with their intervals, or its importances. */
static void coefficient_chart(FILE *o, const ck_eval_entry *e, size_t idx)
{
    ck_terms tt;
    if (!e->model || ck_model_terms(e->model, &tt, NULL) != CK_OK)
        return;
    terms_chart(o, &tt, 0, e->name, idx, e->model->pl);
    if (tt.aux_name)
        terms_chart(o, &tt, 1, e->name, idx, e->model->pl);
    free(tt.term);
}

enum { CURVE_POINTS = 121 }; /* steps narrow enough to read as a smooth band */

/* The smallest and largest finite values of v[0..n) into *lo, *hi. */
static void extend(const double *v, size_t n, double *lo, double *hi)
{
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) {
            *lo = v[i] < *lo ? v[i] : *lo;
            *hi = v[i] > *hi ? v[i] : *hi;
        }
}

/* One spline feature's partial-effect curve (coefs.h, ck_coefs_curve): the
 * effect against the average training row over the range of its knots,
 * the pointwise 95% band from its columns' covariance, a dashed line at 0
 * (the average row), and a rug of the training deciles on the axis. */
static void spline_chart(FILE *o, const ck_coefs *c, const ck_pipeline *pl, size_t k,
                         const char *model, size_t idx)
{
    const ck_feature *f = &pl->feat[k];
    double x[CURVE_POINTS], eta[CURVE_POINTS], lo[CURVE_POINTS], hi[CURVE_POINTS];
    double dx[CK_DECILES], dy[CK_DECILES], y0 = 0, y1 = 0;
    if (ck_coefs_curve(c, pl, k, CURVE_POINTS, x, eta, lo, hi) != 0)
        return;
    extend(eta, CURVE_POINTS, &y0, &y1);
    extend(lo, CURVE_POINTS, &y0, &y1);
    extend(hi, CURVE_POINTS, &y0, &y1);
    double pad = (y1 - y0) * 0.05 + 1e-9;
    y0 -= pad;
    y1 += pad;
    /* the rug: each distinct decile once (a count's deciles tie, and
     * overlapping dots would hide how many there are) */
    size_t nd = 0;
    for (int d = 0; d < CK_DECILES; d++)
        /* dx[nd - 1] is read only once nd > 0, after it was written */
        // cppcheck-suppress uninitvar
        if (!isnan(f->deciles[d]) && (nd == 0 || f->deciles[d] != dx[nd - 1])) {
            dx[nd] = f->deciles[d];
            dy[nd++] = y0;
        }
    char id[64], title[300];
    const char *scale = c->ratio == CK_RATIO_HAZARD ? "log relative hazard"
                        : c->ratio == CK_RATIO_ODDS ? "log-odds" : "prediction";
    char ylabel[64];
    snprintf(ylabel, sizeof ylabel, "effect on the %s", scale);
    snprintf(id, sizeof id, "spline-%zu-%zu", idx, k);
    snprintf(title, sizeof title, "%s: %s (natural spline)", model, f->name);
    ck_svg s;
    fputs("<figure>", o);
    ck_svg_begin(&s, o, id, title, f->name, ylabel, x[0], x[CURVE_POINTS - 1], y0, y1);
    if (isfinite(lo[0]))
        ck_svg_band(&s, x, lo, hi, CURVE_POINTS, 0); /* the curve's own points */
    double zx[2] = {x[0], x[CURVE_POINTS - 1]}, zy[2] = {0, 0};
    ck_svg_line(&s, zx, zy, 2, 0, 1);
    ck_svg_line(&s, x, eta, CURVE_POINTS, 0, 0);
    ck_svg_points(&s, dx, dy, nd, 1, 2.5);
    ck_svg_end(&s);
    fputs("<figcaption>The effect of ", o);
    esc(o, f->name);
    fprintf(o, " on the %s against the average training row (the sum its reason gives), "
               "over the training range, with its pointwise 95%% band; dots: the training "
               "deciles (%zu distinct of 9: tied deciles drawn once). Beyond the range a natural spline continues in a straight line."
               "</figcaption></figure>\n", scale, nd);
}

/* The partial-effect curves of a model's spline terms. */
static void spline_charts(FILE *o, const ck_eval_entry *e, size_t idx)
{
    const ck_coefs *c = ck_coefs_of(e->model);
    for (size_t k = 0; c && k < e->model->pl->nfeat; k++)
        if (e->model->pl->feat[k].spline)
            spline_chart(o, c, e->model->pl, k, e->name, idx);
}

static void regression_charts(FILE *o, const ck_eval *ev)
{
    /* predicted against actual, at most 2,000 evenly spaced rows */
    size_t step = ev->n > 2000 ? (ev->n + 1999) / 2000 : 1;
    double *x = malloc((ev->n / step + 2) * sizeof *x), *y = malloc((ev->n / step + 2) * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return;
    }
    for (size_t i = 0; i < ev->nentries; i++) {
        const ck_eval_entry *e = &ev->entries[i];
        /* each axis its own range: predictions are narrower than what
         * happened (a regression shrinks towards the mean), and on the
         * actual values' range they would lie flat in a band */
        double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
        size_t m = 0;
        for (size_t r = 0; r < ev->n; r += step, m++) {
            x[m] = ev->yv[r];
            y[m] = e->score[r];
            xlo = fmin(xlo, x[m]);
            xhi = fmax(xhi, x[m]);
            ylo = fmin(ylo, y[m]);
            yhi = fmax(yhi, y[m]);
        }
        double ypad = 0.05 * (yhi > ylo ? yhi - ylo : 1), xpad = 0.02 * (xhi > xlo ? xhi - xlo : 1);
        xlo -= xpad, xhi += xpad, ylo -= ypad, yhi += ypad;
        /* y = x where both axes reach */
        double d[2] = {fmax(xlo, ylo), fmin(xhi, yhi)};
        char id[48], title[300];
        snprintf(id, sizeof id, "scatter-%zu", i);
        snprintf(title, sizeof title, "Predicted against actual: %s", e->name);
        ck_svg c;
        fputs("<figure>", o);
        ck_svg_begin(&c, o, id, title, "actual", "predicted (own scale; dashed: y = x)", xlo, xhi,
                     ylo, yhi);
        if (d[0] < d[1])
            ck_svg_line(&c, d, d, 2, 0, 1);
        ck_svg_points(&c, x, y, m, i, 2);
        ck_svg_end(&c);
        fputs("</figure>\n", o);
    }
    free(x);
    free(y);
}

static void paired_table(FILE *o, const ck_eval *ev)
{
    if (!ev->baseline || ev->task != CK_TASK_CLASSIFICATION)
        return;
    fputs("<h2>Against the baseline model</h2>\n<table id=\"paired\"><tr><th>model</th>"
          "<th>AUC difference</th><th>95% CI</th><th>SE</th><th>DeLong z</th><th>p</th>"
          "<th>accuracy difference</th><th>McNemar b / c</th><th>p</th></tr>\n", o);
    for (size_t i = 0; i < ev->nentries; i++) {
        const ck_eval_entry *e = &ev->entries[i];
        fputs("<tr><td>", o);
        esc(o, e->name);
        fprintf(o, "</td><td>%+.4f</td><td>%+.4f to %+.4f</td><td>%.4f</td><td>%.2f</td>"
                   "<td>%.3g</td><td>%+.4f</td><td>%zu / %zu</td><td>%.3g</td></tr>\n",
                e->delong.diff, e->delong.ci_low, e->delong.ci_high, e->delong.se, e->delong.z,
                e->delong.p_value,
                e->cls.accuracy - ev->baseline->cls.accuracy, e->mcnemar.b, e->mcnemar.c,
                e->mcnemar.p_value);
    }
    fputs("</table>\n<p class=\"meta\">DeLong's paired test of the ROC AUC difference; "
          "McNemar's exact test on the rows where exactly one of the two models is right "
          "(b: this model right, the baseline wrong; c: the reverse).</p>\n", o);
}

/* ------------------------------------------------------------------ */
/* survival */

static double skill(const ck_surv_horizon *h)
{
    return h->brier_null > 0 ? 1 - h->brier / h->brier_null : NAN;
}

/* The concordance, then each horizon: what the data shows there, and each
 * column's AUC, Brier score and skill, and mean predicted churn. */
static void survival_table(FILE *o, const ck_eval *ev, const col *cols, size_t n)
{
    fputs("<tr><td>concordance (Harrell)</td>", o);
    for (size_t i = 0; i < n; i++)
        cell(o, cols[i].s->conc.concordance);
    fputs("</tr>\n<tr><td>&nbsp;&nbsp;95% interval</td>", o);
    for (size_t i = 0; i < n; i++)
        fprintf(o, "<td>[%.4f, %.4f]</td>", cols[i].s->conc.concordance_lo,
                cols[i].s->conc.concordance_hi);
    fputs("</tr>\n", o);
    static const char *names[] = {"time-dependent AUC", "Brier score (IPCW)",
                                  "Brier skill (1 &minus; Brier / null)",
                                  "predicted churn (mean)"};
    for (size_t k = 0; k < ev->nhorizons; k++) {
        const ck_surv_horizon *d = &ev->null.h[k];
        fprintf(o, "<tr><th colspan=\"%zu\">at %g months: %zu churned by then, %zu known "
                   "to pay through it; Kaplan&ndash;Meier churn %.4f [%.4f, %.4f]</th></tr>\n",
                n + 1, ev->horizon_list[k], d->cases, d->controls, d->km_obs, d->km_obs_lo,
                d->km_obs_hi);
        for (int m = 0; m < 4; m++) {
            fprintf(o, "<tr><td>&nbsp;&nbsp;%s</td>", names[m]);
            for (size_t i = 0; i < n; i++) {
                const ck_surv_horizon *h = &cols[i].s->h[k];
                double v[] = {h->auc, h->brier, skill(h), h->mean_pred};
                cell(o, v[m]);
            }
            fputs("</tr>\n", o);
        }
    }
}

static void survival_paired_table(FILE *o, const ck_eval *ev)
{
    if (!ev->baseline)
        return;
    const ck_eval_surv *b = &ev->baseline->surv;
    fputs("<h2>Against the baseline model</h2>\n<table id=\"paired\"><tr><th>model</th>"
          "<th>concordance difference</th>", o);
    for (size_t k = 0; k < ev->nhorizons; k++)
        fprintf(o, "<th>AUC difference at %g months</th><th>Brier difference at %g months</th>",
                ev->horizon_list[k], ev->horizon_list[k]);
    fputs("</tr>\n", o);
    for (size_t i = 0; i < ev->nentries; i++) {
        const ck_eval_surv *s = &ev->entries[i].surv;
        fputs("<tr><td>", o);
        esc(o, ev->entries[i].name);
        fprintf(o, "</td><td>%+.4f</td>", s->conc.concordance - b->conc.concordance);
        for (size_t k = 0; k < ev->nhorizons; k++)
            fprintf(o, "<td>%+.4f</td><td>%+.4f</td>", s->h[k].auc - b->h[k].auc,
                    s->h[k].brier - b->h[k].brier);
        fputs("</tr>\n", o);
    }
    fputs("</table>\n<p class=\"meta\">Differences on the same rows, without a paired test: "
          "the two models' intervals overlap or not regardless of how the models differ "
          "row by row.</p>\n", o);
}

/* The largest time observed: where the Kaplan-Meier curve ends. */
static double last_time(const ck_eval *ev)
{
    double t = 0;
    for (size_t i = 0; i < ev->n; i++)
        t = ev->yv[i] > t ? ev->yv[i] : t;
    return t;
}

/* The data's Kaplan-Meier curve with its 95% band (series 0) and each
 * model's mean predicted survival curve (series 1, 2, ...). */
static void survival_chart(FILE *o, const ck_eval *ev)
{
    const ck_km *km = &ev->km;
    size_t m = km->ntimes + 1, nm = ev->nentries + (ev->baseline != NULL);
    double *x = malloc(m * sizeof *x), *y = malloc(m * sizeof *y);
    double *lo = malloc(m * sizeof *lo), *hi = malloc(m * sizeof *hi);
    const char **names = malloc((nm + 1) * sizeof *names);
    char **own = calloc(nm + 1, sizeof *own);
    if (!x || !y || !lo || !hi || !names || !own)
        goto done;
    x[0] = 0;
    y[0] = lo[0] = hi[0] = 1;
    double ymin = 1, xend = last_time(ev);
    for (size_t k = 0; k < km->ntimes; k++) {
        x[k + 1] = km->time[k];
        y[k + 1] = km->surv[k];
        ck_km_interval(km, km->time[k], &lo[k + 1], &hi[k + 1]);
        ymin = fmin(ymin, lo[k + 1]);
    }
    for (size_t i = 0; i < nm; i++) {
        const ck_eval_entry *e = entry_at(ev, i);
        for (size_t g = 0; g < ev->ngrid; g++)
            ymin = fmin(ymin, e->surv.mean_surv[g]);
    }
    /* the y axis from a round value below the lowest curve: survival over
     * a few months stays near 1, where a 0-1 axis would show a flat line */
    ymin = fmax(0, floor(ymin * 20 - 1) / 20);
    ck_svg c;
    ck_svg_begin(&c, o, "survival", "Survival: Kaplan-Meier of the data and mean predicted",
                 "months", "share still a customer", 0, xend > 0 ? xend : 1, ymin, 1);
    ck_svg_step_band(&c, x, lo, hi, m, xend, 0);
    ck_svg_steps(&c, x, y, m, xend, 0);
    names[0] = "Kaplan-Meier, 95% band";
    for (size_t i = 0; i < nm; i++) {
        const ck_eval_entry *e = entry_at(ev, i);
        ck_svg_steps(&c, ev->grid, e->surv.mean_surv, ev->ngrid, xend, i + 1);
        if ((own[i] = malloc(strlen(e->name) + 24)))
            sprintf(own[i], "%s, mean predicted", e->name);
        names[i + 1] = own[i] ? own[i] : e->name;
    }
    ck_svg_legend_from(&c, names, nm + 1, 0, 0);
    ck_svg_end(&c);
done:
    for (size_t i = 0; own && i < nm; i++)
        free(own[i]);
    free(own);
    free(names);
    free(x);
    free(y);
    free(lo);
    free(hi);
}

/* Horizon k: each model's risk deciles, mean predicted churn against the
 * Kaplan-Meier churn with its interval, beside the diagonal. */
static void calibration_chart(FILE *o, const ck_eval *ev, size_t k, const char **names,
                              size_t nm)
{
    double top = 0.05;
    for (size_t i = 0; i < nm; i++) {
        const ck_surv_horizon *h = &entry_at(ev, i)->surv.h[k];
        for (size_t g = 0; g < h->ngroups; g++)
            top = fmax(top, fmax(h->pred[g], isnan(h->obs_hi[g]) ? 0 : h->obs_hi[g]));
    }
    top = fmin(1, ceil(top * 20) / 20); /* a round value above the largest */
    double d[2] = {0, top};
    char id[48], title[96];
    snprintf(id, sizeof id, "calibration-%gm", ev->horizon_list[k]);
    snprintf(title, sizeof title, "Calibration at %g months (risk deciles)", ev->horizon_list[k]);
    ck_svg c;
    fputs("<figure>", o);
    ck_svg_begin(&c, o, id, title, "mean predicted churn", "Kaplan-Meier churn, 95% interval",
                 0, top, 0, top);
    ck_svg_line(&c, d, d, 2, 0, 1);
    for (size_t i = 0; i < nm; i++) {
        const ck_surv_horizon *h = &entry_at(ev, i)->surv.h[k];
        ck_svg_errorbars(&c, h->pred, h->obs_lo, h->obs_hi, h->ngroups, i + 1);
        ck_svg_line(&c, h->pred, h->obs, h->ngroups, i + 1, 0);
        ck_svg_points(&c, h->pred, h->obs, h->ngroups, i + 1, 3);
    }
    ck_svg_legend_from(&c, names, nm, 1, 1);
    ck_svg_end(&c);
    fputs("</figure>\n", o);
}

static void survival_charts(FILE *o, const ck_eval *ev)
{
    size_t nm = 0;
    const char **names = entry_names(ev, &nm);
    fputs("<figure>", o);
    survival_chart(o, ev);
    fputs("</figure>\n", o);
    for (size_t k = 0; names && k < ev->nhorizons; k++)
        calibration_chart(o, ev, k, names, nm);
    free(names);
}

/* The line under the title: the data, its label, churnkit's version. */
static void meta_line(FILE *o, const ck_eval *ev)
{
    fputs("<p class=\"meta\">", o);
    esc(o, ev->data);
    fprintf(o, " &middot; %zu rows &middot; ", ev->n);
    if (ev->task == CK_TASK_SURVIVAL) {
        fprintf(o, "%zu churned (", ev->n_pos);
        esc(o, ev->event_name);
        fputs(" = 1) over the time <b>", o);
        esc(o, ev->label);
        fputs("</b> &middot; horizons", o);
        for (size_t k = 0; k < ev->nhorizons; k++)
            fprintf(o, "%s %g", k ? "," : "", ev->horizon_list[k]);
        fputs(" months", o);
    } else {
        fputs("label <b>", o);
        esc(o, ev->label);
        fputs("</b>", o);
    }
    if (ev->task == CK_TASK_CLASSIFICATION) {
        fprintf(o, " &middot; %zu positive (&lsquo;", ev->n_pos);
        esc(o, ev->positive);
        fprintf(o, "&rsquo;, %.1f%%)", ev->n ? 100.0 * (double)ev->n_pos / (double)ev->n : 0);
    }
    fprintf(o, " &middot; churnkit %s</p>\n", CK_VERSION);
    if (ev->horizon > 0)
        fprintf(o, "<p class=\"meta\">Survival models (NAME@%gm) are scored by their churn "
                   "within %g months, 1 &minus; S(%g), with their training population's churn "
                   "by then as the threshold.</p>\n",
                ev->horizon, ev->horizon, ev->horizon);
}

void ck_report_html(FILE *o, const ck_eval *ev)
{
    int cls = ev->task == CK_TASK_CLASSIFICATION;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>"
          "churnkit evaluation: ", o);
    esc(o, ev->data);
    fprintf(o, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>churnkit evaluation</h1>\n",
            css);
    meta_line(o, ev);
    verdict(o, ev);
    fputs("<h2>Summary</h2>\n", o);
    summary_table(o, ev);
    if (ev->task == CK_TASK_SURVIVAL)
        survival_paired_table(o, ev);
    else
        paired_table(o, ev);
    fputs("<h2>Charts</h2>\n<div class=\"charts\">\n", o);
    if (cls) {
        size_t n = 0;
        const char **names = entry_names(ev, &n);
        if (names) {
            fputs("<figure>", o);
            roc_chart(o, ev, n, names);
            fputs("</figure>\n<figure>", o);
            pr_chart(o, ev, n, names);
            fputs("</figure>\n<figure>", o);
            reliability_chart(o, ev, n, names);
            fputs("</figure>\n<figure>", o);
            gains_chart(o, ev, n, names);
            fputs("</figure>\n", o);
            free(names);
        }
        confusion_charts(o, ev);
    } else if (ev->task == CK_TASK_SURVIVAL) {
        survival_charts(o, ev);
    } else {
        regression_charts(o, ev);
    }
    for (size_t i = 0; i < ev->nentries; i++) {
        coefficient_chart(o, &ev->entries[i], i);
        spline_charts(o, &ev->entries[i], i);
    }
    fputs("</div>\n</body>\n</html>\n", o);
}
