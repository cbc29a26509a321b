/* lifetime.c -- churn by horizon, expected months, CLV (see lifetime.h). */
#include "churnkit/lifetime.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "churnkit/num.h"

void ck_lifetime_options_init(ck_lifetime_options *o)
{
    memset(o, 0, sizeof *o);
    o->horizon[0] = 3;
    o->horizon[1] = 6;
    o->nhorizons = 2;
    o->clv_months = 24;
    o->discount_rate = 0.10;
}

ck_status ck_lifetime_parse_horizons(ck_lifetime_options *o, const char *text, ck_error *err)
{
    size_t n = 0;
    const char *p = text;
    for (;;) {
        size_t len = strcspn(p, ",");
        double v;
        if (n == CK_HORIZONS_MAX)
            return ck_error_set(err, CK_EUSAGE, "--horizons: at most %d horizons",
                                CK_HORIZONS_MAX);
        if (ck_num_parse(p, len, &v) != CK_NUM_OK || !(v > 0) || v > 1200)
            return ck_error_set(err, CK_EUSAGE, "--horizons: '%.*s' is not a number of months "
                                                "(more than 0, at most 1200)", (int)len, p);
        if (n && !(v > o->horizon[n - 1]))
            return ck_error_set(err, CK_EUSAGE, "--horizons must increase (%g after %g)", v,
                                o->horizon[n - 1]);
        o->horizon[n++] = v;
        if (!p[len])
            break;
        p += len + 1;
    }
    o->nhorizons = n;
    return CK_OK;
}

ck_status ck_lifetime_init(ck_lifetime *lt, const ck_ph_curve *c,
                           const ck_lifetime_options *o, ck_error *err)
{
    memset(lt, 0, sizeof *lt);
    lt->c = c;
    lt->nh = o->nhorizons;
    for (size_t k = 0; k < lt->nh; k++) {
        lt->horizon[k] = o->horizon[k];
        lt->H_h[k] = ck_ph_cumhaz(c, o->horizon[k]);
    }
    lt->tmax = lt->nh ? lt->horizon[lt->nh - 1] : 0;
    lt->nm = o->clv_months;
    lt->H_m = malloc((lt->nm ? lt->nm : 1) * sizeof *lt->H_m);
    lt->disc = malloc((lt->nm ? lt->nm : 1) * sizeof *lt->disc);
    if (!lt->H_m || !lt->disc) {
        ck_lifetime_fini(lt);
        return ck_error_set(err, CK_ENOMEM, "out of memory");
    }
    for (size_t m = 1; m <= lt->nm; m++) {
        lt->H_m[m - 1] = ck_ph_cumhaz(c, (double)m);
        lt->disc[m - 1] = pow(1 + o->discount_rate, -(double)m / 12);
    }
    return CK_OK;
}

void ck_lifetime_fini(ck_lifetime *lt)
{
    free(lt->H_m);
    free(lt->disc);
    lt->H_m = lt->disc = NULL;
}

/* exp(-H exp(eta)), 1 when H = 0 even if exp(eta) overflows */
static double surv(double H, double eta)
{
    return H > 0 ? exp(-H * exp(eta)) : 1.0;
}

double ck_lifetime_churn(const ck_lifetime *lt, double eta, size_t k)
{
    return isnan(eta) ? NAN : 1 - surv(lt->H_h[k], eta);
}

double ck_lifetime_expected(const ck_lifetime *lt, double eta)
{
    /* the integral of S(u + 1) over [0, T]: of S over [1, T + 1] */
    return ck_ph_rmst(lt->c, eta, lt->tmax + 1) - ck_ph_rmst(lt->c, eta, 1);
}

double ck_lifetime_clv(const ck_lifetime *lt, double eta, double mrr)
{
    if (isnan(eta) || isnan(mrr))
        return NAN;
    double sum = 0;
    for (size_t m = 0; m < lt->nm; m++)
        sum += surv(lt->H_m[m], eta) * lt->disc[m];
    return mrr * sum;
}
