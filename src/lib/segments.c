/* segments.c -- segments, plays and horizons (see segments.h and
 * docs/value-model.md). */
#include "churnkit/segments.h"
#include "churnkit/plays.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[CK_SEGMENTS] = {"star", "opportunity", "stable", "critical"};

/* The plays of docs/value-model.md (no commas in them, so that even a
 * naive split of the scores CSV reads them). */
static const char *const plays[CK_SEGMENTS] = {
    "Advocate and expand: customer advisory board; case study; early access to new features",
    "CSM steps in now: remove the obstacles and guide deeper core-feature use",
    "Nurture: automated journeys and in-app guides to more features; keep monitoring",
    "Red alert: executive outreach and a 90-day rescue plan on one or two core pains"};

const char *ck_segment_name(int seg)
{
    return seg >= 0 && seg < CK_SEGMENTS ? names[seg] : NULL;
}

const char *ck_segment_action(int seg)
{
    return seg >= 0 && seg < CK_SEGMENTS ? plays[seg] : NULL;
}

int ck_segment_of(int high_risk, int growing)
{
    return high_risk ? (growing ? CK_SEG_OPPORTUNITY : CK_SEG_CRITICAL)
                     : (growing ? CK_SEG_STAR : CK_SEG_STABLE);
}

void ck_segment_actions_free(const char *actions[CK_SEGMENTS])
{
    ck_plays_free(actions, CK_SEGMENTS);
}

ck_status ck_segment_actions_load(const char *actions[CK_SEGMENTS], const char *path,
                                  ck_error *err)
{
    return ck_plays_load(actions, names, CK_SEGMENTS, "segment", "action", path, err);
}

/* A model of churn: its label names churn (churned_3m, churn_event).
 * Only such a model gives risk by default, cannot give growth, and has
 * cumulative horizons. */
static int churn_label(const ck_model *m)
{
    return strstr(m->label, "churn") != NULL;
}

static int find_model(ck_model *const *m, size_t n, const char *name, ck_task task)
{
    for (size_t i = 0; i < n; i++)
        if (m[i]->task == task && (!name || strcmp(m[i]->name, name) == 0))
            return (int)i;
    return -1;
}

/* Splits "NAME@Hm" into the name's length and H (0 without "@"); -1 when
 * the horizon is malformed. */
static int risk_spec(const char *spec, size_t *namelen, double *h)
{
    const char *at = strrchr(spec, '@');
    char *end;
    *namelen = at ? (size_t)(at - spec) : strlen(spec);
    *h = 0;
    if (!at)
        return 0;
    *h = strtod(at + 1, &end);
    return end != at + 1 && strcmp(end, "m") == 0 && *h > 0 && *h <= 1200 ? 0 : -1;
}

static int find_named(ck_model *const *m, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(m[i]->name) == len && strncmp(m[i]->name, name, len) == 0)
            return (int)i;
    return -1;
}

/* The named risk model: a classifier, or a survival model at a horizon. */
static ck_status named_risk(ck_model *const *m, size_t n, const char *spec, double default_h,
                            int *risk, double *risk_h, ck_error *err)
{
    size_t len;
    double h;
    if (risk_spec(spec, &len, &h) != 0)
        return ck_error_set(err, CK_EUSAGE, "--risk-model '%s': a horizon is written "
                                            "NAME@6m (months)", spec);
    *risk = find_named(m, n, spec, len);
    ck_task task = *risk >= 0 ? m[*risk]->task : 0;
    if (task == CK_TASK_SURVIVAL) {
        *risk_h = h > 0 ? h : default_h;
        return CK_OK;
    }
    if (task == CK_TASK_CLASSIFICATION && h == 0)
        return CK_OK;
    *risk = -1;
    return ck_error_set(err, CK_EUSAGE, task == CK_TASK_CLASSIFICATION
                                            ? "--risk-model '%s': a classifier has one "
                                              "horizon, its label's: drop the '@'"
                                            : "--risk-model '%s' is not a classifier or a "
                                              "survival model being scored", spec);
}

ck_status ck_segments_choose(ck_model *const *m, size_t n, const char *risk_name,
                             const char *growth_name, double default_h, int *risk,
                             double *risk_h, int *growth, ck_error *err)
{
    *risk = *growth = -1;
    *risk_h = 0;
    if (risk_name) {
        ck_status st = named_risk(m, n, risk_name, default_h, risk, risk_h, err);
        if (st != CK_OK)
            return st;
    }
    /* growth by name: a value-change regression, or a classifier of growth
     * (such as expanded_6m) */
    if (growth_name && (*growth = find_model(m, n, growth_name, CK_TASK_REGRESSION)) < 0 &&
        (*growth = find_model(m, n, growth_name, CK_TASK_CLASSIFICATION)) < 0)
        return ck_error_set(err, CK_EUSAGE, "--growth-model '%s' is not a regression or a "
                                            "classifier being scored", growth_name);
    if (growth_name && *risk >= 0 && *growth == *risk)
        return ck_error_set(err, CK_EUSAGE, "--growth-model '%s' is the risk model too",
                            growth_name);
    if (growth_name && m[*growth]->task == CK_TASK_CLASSIFICATION &&
        churn_label(m[*growth]))
        return ck_error_set(err, CK_EUSAGE, "--growth-model '%s' predicts churn ('%s'): growth "
                                            "comes from a value-change regression or a growth "
                                            "classifier such as one of expanded_6m",
                            growth_name, m[*growth]->label);
    /* by default only a churn model gives risk: a classifier of another
     * label (high value, expansion) would put its likely accounts in the
     * high-risk cells */
    for (size_t i = 0; *risk < 0 && i < n; i++)
        if (m[i]->task == CK_TASK_CLASSIFICATION && churn_label(m[i]) &&
            (int)i != *growth)
            *risk = (int)i;
    if (*risk < 0 && (*risk = find_model(m, n, NULL, CK_TASK_SURVIVAL)) >= 0)
        *risk_h = default_h;
    if (*growth < 0)
        *growth = find_model(m, n, NULL, CK_TASK_REGRESSION);
    if ((risk_name || growth_name) && (*risk < 0 || *growth < 0))
        return ck_error_set(err, CK_EUSAGE, "--%s-model: the segments need a churn model (a "
                                            "classifier of a churn label, or a survival model) "
                                            "and a value-change regression or a growth "
                                            "classifier among the models scored",
                            risk_name ? "risk" : "growth");
    if (*risk < 0 || *growth < 0) {
        *risk = *growth = -1;
        *risk_h = 0;
    }
    return CK_OK;
}

int ck_label_horizon(const char *label, size_t *baselen)
{
    size_t n = strlen(label);
    if (n < 4 || label[n - 1] != 'm')
        return -1;
    size_t i = n - 1;
    while (i > 0 && isdigit((unsigned char)label[i - 1]))
        i--;
    if (i == n - 1 || i < 2 || label[i - 1] != '_' || n - 1 - i > 6)
        return -1;
    *baselen = i - 1;
    return atoi(label + i);
}

/* The horizon a model is ordered by: 0 without one. */
static int order_key(const ck_model *m)
{
    size_t len;
    int h = ck_label_horizon(m->label, &len);
    return h < 0 ? 0 : h;
}

void ck_horizons_link(ck_model *const *m, size_t n, int *prev, int *order)
{
    for (size_t a = 0; a < n; a++) {
        size_t la, lb;
        int ha = ck_label_horizon(m[a]->label, &la), best = -1;
        prev[a] = -1;
        /* only cumulative labels: churned within 3 months implies within 6;
         * expanded_6m (the state at month 6) need not follow expanded_3m */
        if (m[a]->task != CK_TASK_CLASSIFICATION || ha < 0 || !churn_label(m[a]))
            continue;
        for (size_t b = 0; b < n; b++) {
            int hb = ck_label_horizon(m[b]->label, &lb);
            if (b == a || m[b]->task != CK_TASK_CLASSIFICATION || hb < 0 || hb >= ha ||
                hb <= best || la != lb || strncmp(m[a]->label, m[b]->label, la) != 0 ||
                strcmp(m[a]->positive, m[b]->positive) != 0)
                continue;
            best = hb;
            prev[a] = (int)b;
        }
    }
    /* shorter horizons first: a stable insertion sort (a handful of models) */
    for (size_t a = 0; a < n; a++) {
        size_t k = a;
        for (; k > 0 && order_key(m[order[k - 1]]) > order_key(m[a]); k--)
            order[k] = order[k - 1];
        order[k] = (int)a;
    }
}
