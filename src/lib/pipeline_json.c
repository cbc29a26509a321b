/* pipeline_json.c -- a fitted pipeline to and from the model file's
 * "features" and "encoded" (see models/FORMAT.md and pipeline.h). */
#include "churnkit/pipeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A feature's "spline": R's ns() basis on these knots (spline.h), the
 * training means of its columns, and whether it is penalized. */
static json_t *spline_json(const ck_spline *s)
{
    json_t *o = json_object();
    int bad = !o;
    bad |= ck_json_put(o, "basis", json_string("natural_cubic"));
    bad |= ck_json_put(o, "knots", ck_json_numbers(s->knots, s->nknots));
    bad |= ck_json_put(o, "center", ck_json_numbers(s->center, ck_spline_width(s)));
    bad |= ck_json_put(o, "penalty", json_string(s->penalized ? "second_difference" : "ridge"));
    return ck_json_done(o, bad);
}

static json_t *feature_json(const ck_feature *f)
{
    json_t *o = json_object();
    int bad = !o;
    bad |= ck_json_put(o, "name", json_string(f->name));
    if (f->kind == CK_FEAT_NUMERIC) {
        bad |= ck_json_put(o, "type", json_string("numeric"));
        bad |= ck_json_put(o, "transform", json_string(f->symlog ? "symlog" : "none"));
        bad |= ck_json_set_number(o, "impute", f->median);
        bad |= ck_json_set_number(o, "mean", f->mean);
        bad |= ck_json_set_number(o, "scale", f->scale);
        bad |= ck_json_put(o, "missing_indicator", json_boolean(f->missing_indicator));
        if (f->spline) /* absent: the standardized column */
            bad |= ck_json_put(o, "spline", spline_json(f->spline));
        bad |= ck_json_set_number(o, "train_missing_share", f->missing_share);
        bad |= ck_json_put(o, "train_deciles", ck_json_numbers(f->deciles, CK_DECILES));
        if (f->nbin_share) /* absent from models before it, and then kept absent */
            bad |= ck_json_put(o, "train_bin_shares",
                                ck_json_numbers(f->bin_share, f->nbin_share));
    } else {
        json_t *lv = json_array();
        bad |= !lv;
        for (size_t k = 0; k < f->nlevels; k++)
            bad |= ck_json_push(lv, json_string(f->levels[k]));
        bad |= ck_json_put(o, "type", json_string("categorical"));
        bad |= ck_json_put(o, "levels", lv);
        /* a reference other than the first level, and excluded levels,
         * are keys of their own, absent from files before them; with
         * either, a reader that knows only drop_first finds the encoded
         * columns disagree with the features and refuses the file instead
         * of misreading it */
        bad |= ck_json_put(o, "drop_first", json_boolean(f->has_reference && f->reference == 0));
        if (f->has_reference && f->reference != 0)
            bad |= ck_json_put(o, "reference", json_string(f->levels[f->reference]));
        if (f->excluded) {
            json_t *ex = json_array();
            bad |= !ex;
            for (size_t k = 0; k < f->nlevels; k++)
                if (f->excluded[k])
                    bad |= ck_json_push(ex, json_string(f->levels[k]));
            bad |= ck_json_put(o, "excluded_levels", ex);
        }
        bad |= ck_json_set_number(o, "train_missing_share", f->missing_share);
        bad |= ck_json_put(o, "train_level_shares", ck_json_numbers(f->level_share,
                                                                   f->nlevels));
    }
    return ck_json_done(o, bad);
}

/* The position of level text v in f, or -1. */
static long level_index(const ck_feature *f, const json_t *v)
{
    for (size_t k = 0; json_is_string(v) && k < f->nlevels; k++)
        if (strcmp(f->levels[k], json_string_value(v)) == 0)
            return (long)k;
    return -1;
}

/* The optional "reference" and "excluded_levels" of a categorical feature. */
static ck_status read_level_roles(ck_json_reader *rd, json_t *o, const char *field,
                                  ck_feature *f)
{
    char path[300];
    json_t *ref = json_object_get(o, "reference"), *ex = json_object_get(o, "excluded_levels");
    if (ref) {
        long k = level_index(f, ref);
        snprintf(path, sizeof path, "%s.reference", field);
        if (k < 0 || f->has_reference)
            return ck_json_bad(rd, path, "must be one of the levels, and only without "
                                         "drop_first");
        f->has_reference = 1;
        f->reference = (size_t)k;
    }
    if (!ex)
        return CK_OK;
    snprintf(path, sizeof path, "%s.excluded_levels", field);
    if (!json_is_array(ex) || !(f->excluded = calloc(f->nlevels, 1)))
        return json_is_array(ex) ? ck_error_set(rd->err, CK_ENOMEM, "out of memory")
                                 : ck_json_bad(rd, path, "must be a list of levels");
    for (size_t i = 0; i < json_array_size(ex); i++) {
        long k = level_index(f, json_array_get(ex, i));
        if (k < 0 || (f->has_reference && (size_t)k == f->reference))
            return ck_json_bad(rd, path, "must list levels other than the reference");
        f->excluded[k] = 1;
    }
    return CK_OK;
}

ck_status ck_pipeline_to_json(const ck_pipeline *pl, json_t *root, ck_error *err)
{
    json_t *feats = json_array(), *enc = json_array();
    int bad = !feats || !enc;
    for (size_t k = 0; k < pl->nfeat; k++)
        bad |= ck_json_push(feats, feature_json(&pl->feat[k]));
    for (size_t j = 0; j < pl->width; j++)
        bad |= ck_json_push(enc, json_string(pl->encoded[j]));
    bad |= ck_json_put(root, "features", feats);
    bad |= ck_json_put(root, "encoded", enc);
    if (pl->raw) /* absent (false) in every file before raw inputs */
        bad |= ck_json_put(root, "raw_inputs", json_true());
    return bad ? ck_error_set(err, CK_ENOMEM, "out of memory") : CK_OK;
}

/* ------------------------------------------------------------------ */
/* reading */

/* The optional "spline" of a numeric feature, checked whole. */
static ck_status read_spline(ck_json_reader *rd, json_t *o, const char *field, ck_feature *f)
{
    char path[300];
    json_t *sp = json_object_get(o, "spline"), *kn, *basis, *pen;
    ck_status st;
    if (!sp)
        return CK_OK;
#define FIELD(k) (snprintf(path, sizeof path, "%s.spline%s", field, k), path)
    if (!json_is_object(sp))
        return ck_json_bad(rd, FIELD(""), "must be an object");
    basis = json_object_get(sp, "basis");
    if (!json_is_string(basis) || strcmp(json_string_value(basis), "natural_cubic") != 0)
        return ck_json_bad(rd, FIELD(".basis"), "must be \"natural_cubic\"");
    pen = json_object_get(sp, "penalty");
    if (!json_is_string(pen) || (strcmp(json_string_value(pen), "ridge") != 0 &&
                                 strcmp(json_string_value(pen), "second_difference") != 0))
        return ck_json_bad(rd, FIELD(".penalty"), "must be \"ridge\" or \"second_difference\"");
    kn = json_object_get(sp, "knots");
    if (!json_is_array(kn) || json_array_size(kn) < 3 ||
        json_array_size(kn) > CK_SPLINE_MAX_KNOTS)
        return ck_json_bad(rd, FIELD(".knots"), "must be a list of 3 to 20 numbers");
    if (!(f->spline = calloc(1, sizeof *f->spline)))
        return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    ck_spline *s = f->spline;
    s->nknots = json_array_size(kn);
    s->penalized = strcmp(json_string_value(pen), "second_difference") == 0;
    if ((st = ck_json_get_numbers(rd, sp, "knots", FIELD(".knots"), s->nknots, s->knots)) !=
            CK_OK ||
        (st = ck_json_get_numbers(rd, sp, "center", FIELD(".center"), ck_spline_width(s),
                                  s->center)) != CK_OK)
        return st;
    for (size_t j = 0; j + 1 < s->nknots; j++)
        if (!isfinite(s->center[j]))
            return ck_json_bad(rd, FIELD(".center"), "must be finite numbers");
    if (ck_spline_prepare(s, rd->err) != CK_OK) {
        char why[CK_ERROR_MAX + 16];
        snprintf(why, sizeof why, "is refused: %s", rd->err->message);
        return ck_json_bad(rd, FIELD(".knots"), why);
    }
#undef FIELD
    return CK_OK;
}

static ck_status read_numeric(ck_json_reader *rd, json_t *o, const char *field, ck_feature *f)
{
    char path[300];
    ck_status st;
    f->kind = CK_FEAT_NUMERIC;
#define FIELD(k) (snprintf(path, sizeof path, "%s.%s", field, k), path)
    json_t *tr = json_object_get(o, "transform"); /* optional: "none" */
    if (tr && !(json_is_string(tr) && (strcmp(json_string_value(tr), "none") == 0 ||
                                       strcmp(json_string_value(tr), "symlog") == 0)))
        return ck_json_bad(rd, FIELD("transform"), "must be \"none\" or \"symlog\"");
    f->symlog = tr && strcmp(json_string_value(tr), "symlog") == 0;
    if ((st = ck_json_get_number(rd, o, "impute", FIELD("impute"), 0, &f->median)) != CK_OK ||
        (st = ck_json_get_number(rd, o, "mean", FIELD("mean"), 0, &f->mean)) != CK_OK ||
        (st = ck_json_get_number(rd, o, "scale", FIELD("scale"), 0, &f->scale)) != CK_OK ||
        (st = ck_json_get_bool(rd, o, "missing_indicator", FIELD("missing_indicator"),
                               &f->missing_indicator)) != CK_OK ||
        (st = ck_json_get_number(rd, o, "train_missing_share", FIELD("train_missing_share"), 1,
                                 &f->missing_share)) != CK_OK ||
        (st = ck_json_get_numbers(rd, o, "train_deciles", FIELD("train_deciles"), CK_DECILES,
                                  f->deciles)) != CK_OK)
        return st;
    if (!(f->scale > 0) || !isfinite(f->scale))
        return ck_json_bad(rd, FIELD("scale"), "must be a positive number");
    if ((st = read_spline(rd, o, field, f)) != CK_OK)
        return st;
    if (json_object_get(o, "train_bin_shares")) { /* optional */
        double edges[CK_DECILES];
        f->nbin_share = ck_feature_edges(f, edges) + 1;
        if ((st = ck_json_get_numbers(rd, o, "train_bin_shares", FIELD("train_bin_shares"),
                                      f->nbin_share, f->bin_share)) != CK_OK)
            return st;
    }
#undef FIELD
    return CK_OK;
}

static ck_status read_categorical(ck_json_reader *rd, json_t *o, const char *field,
                                  ck_feature *f)
{
    char path[300];
    json_t *lv;
    f->kind = CK_FEAT_CATEGORICAL;
    snprintf(path, sizeof path, "%s.spline", field);
    if (json_object_get(o, "spline")) /* would be ignored: the file is damaged */
        return ck_json_bad(rd, path, "is for numeric features, and this one is categorical");
    snprintf(path, sizeof path, "%s.levels", field);
    if (ck_json_get(rd, o, "levels", path, &lv) != CK_OK)
        return CK_EMODEL;
    if (!json_is_array(lv) || json_array_size(lv) == 0)
        return ck_json_bad(rd, path, "must be a non-empty list of strings");
    f->nlevels = json_array_size(lv);
    f->levels = calloc(f->nlevels, sizeof *f->levels);
    f->level_share = calloc(f->nlevels, sizeof *f->level_share);
    if (!f->levels || !f->level_share)
        return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    for (size_t k = 0; k < f->nlevels; k++) {
        json_t *v = json_array_get(lv, k);
        if (!json_is_string(v))
            return ck_json_bad(rd, path, "must be a list of strings");
        if (!(f->levels[k] = strdup(json_string_value(v))))
            return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    }
    ck_status st;
    snprintf(path, sizeof path, "%s.drop_first", field);
    if ((st = ck_json_get_bool(rd, o, "drop_first", path, &f->has_reference)) != CK_OK ||
        (st = read_level_roles(rd, o, field, f)) != CK_OK)
        return st;
    snprintf(path, sizeof path, "%s.train_missing_share", field);
    if ((st = ck_json_get_number(rd, o, "train_missing_share", path, 1, &f->missing_share)) !=
        CK_OK)
        return st;
    snprintf(path, sizeof path, "%s.train_level_shares", field);
    return ck_json_get_numbers(rd, o, "train_level_shares", path, f->nlevels, f->level_share);
}

static ck_status read_feature(ck_json_reader *rd, json_t *o, size_t k, ck_feature *f)
{
    char field[64], sub[80], *type = NULL;
    ck_status st;
    snprintf(field, sizeof field, "features[%zu]", k);
    if (!json_is_object(o))
        return ck_json_bad(rd, field, "must be an object");
    snprintf(sub, sizeof sub, "%s.name", field);
    if ((st = ck_json_get_string(rd, o, "name", sub, &f->name)) != CK_OK)
        return st;
    if (!f->name[0]) /* no CSV column can be called so: the file is damaged */
        return ck_json_bad(rd, sub, "must not be empty");
    snprintf(sub, sizeof sub, "%s.type", field);
    if ((st = ck_json_get_string(rd, o, "type", sub, &type)) != CK_OK)
        return st;
    if (strcmp(type, "numeric") == 0)
        st = read_numeric(rd, o, field, f);
    else if (strcmp(type, "categorical") == 0)
        st = read_categorical(rd, o, field, f);
    else
        st = ck_json_bad(rd, sub, "must be \"numeric\" or \"categorical\"");
    free(type);
    return st;
}

/* The stored encoded names must be what the features give. */
static ck_status check_encoded(ck_json_reader *rd, const json_t *root, const ck_pipeline *pl)
{
    json_t *enc;
    if (ck_json_get(rd, root, "encoded", "encoded", &enc) != CK_OK)
        return CK_EMODEL;
    if (!json_is_array(enc) || json_array_size(enc) != pl->width)
        return ck_error_set(rd->err, CK_EMODEL, "%s: the features encode %zu columns but "
                                                "'encoded' lists %zu", rd->source, pl->width,
                            json_is_array(enc) ? json_array_size(enc) : 0);
    for (size_t j = 0; j < pl->width; j++) {
        json_t *v = json_array_get(enc, j);
        if (!json_is_string(v) || strcmp(json_string_value(v), pl->encoded[j]) != 0)
            return ck_error_set(rd->err, CK_EMODEL, "%s: encoded column %zu should be '%s'",
                                rd->source, j, pl->encoded[j]);
    }
    return CK_OK;
}

ck_status ck_pipeline_from_json(ck_pipeline **out, const json_t *root, ck_json_reader *rd)
{
    json_t *feats;
    *out = NULL;
    if (ck_json_get(rd, root, "features", "features", &feats) != CK_OK)
        return CK_EMODEL;
    if (!json_is_array(feats) || json_array_size(feats) == 0)
        return ck_json_bad(rd, "features", "must be a non-empty list");
    ck_pipeline *pl = ck_pipeline_new();
    if (!pl || !(pl->feat = calloc(json_array_size(feats), sizeof *pl->feat))) {
        ck_pipeline_free(pl);
        return ck_error_set(rd->err, CK_ENOMEM, "out of memory");
    }
    ck_status st = CK_OK;
    json_t *raw = json_object_get(root, "raw_inputs");
    if (raw && !json_is_boolean(raw))
        st = ck_json_bad(rd, "raw_inputs", "must be true or false");
    pl->raw = json_is_true(raw);
    for (size_t k = 0; k < json_array_size(feats) && st == CK_OK; k++) {
        pl->nfeat++;
        st = read_feature(rd, json_array_get(feats, k), k, &pl->feat[k]);
    }
    if (st == CK_OK)
        st = ck_json_foreign(rd, ck_pipeline_finish(pl, rd->err));
    if (st == CK_OK)
        st = check_encoded(rd, root, pl);
    if (st != CK_OK) {
        ck_pipeline_free(pl);
        return st;
    }
    *out = pl;
    return CK_OK;
}
