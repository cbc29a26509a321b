/*
 * svg.h -- small inline-SVG charts for the HTML report: line and point
 * charts on linear axes, a coefficient forest plot, a confusion matrix.
 * Everything is written to a stream as text; no script, no external file,
 * so a report stays one self-contained page.
 */
#ifndef CHURNKIT_SVG_H
#define CHURNKIT_SVG_H

#include <stddef.h>
#include <stdio.h>

/* Writes s with &, <, >, " and ' escaped for HTML and SVG text. */
void ck_html_escape(FILE *out, const char *s);

typedef struct ck_svg {
    FILE *out;
    double x0, x1, y0, y1;   /* data ranges */
    double left, top, pw, ph;/* plot area in pixels */
    size_t nseries;
    double height;           /* of the whole chart, legend rows below included */
} ck_svg;

/* Opens a chart: frame, grid, ticks, axis labels and title.  `id` becomes
 * the svg element's id. */
void ck_svg_begin(ck_svg *c, FILE *out, const char *id, const char *title, const char *xlabel,
                  const char *ylabel, double x0, double x1, double y0, double y1);

/* The same, with room below the x axis for a legend of legend_rows rows
 * (ck_svg_legend_below): a legend that can cover no curve. */
void ck_svg_begin_rows(ck_svg *c, FILE *out, const char *id, const char *title,
                       const char *xlabel, const char *ylabel, double x0, double x1, double y0,
                       double y1, size_t legend_rows);

/* A line through (x[i], y[i]) (points with NaN are skipped) in the colour
 * of `series`; `dashed` for reference lines (drawn grey). */
void ck_svg_line(ck_svg *c, const double *x, const double *y, size_t n, size_t series,
                 int dashed);

/* Markers at (x[i], y[i]). */
void ck_svg_points(ck_svg *c, const double *x, const double *y, size_t n, size_t series,
                   double radius);

/* A legend in the lower right (or upper left) corner. */
void ck_svg_legend(ck_svg *c, const char *const *names, size_t n, int upper_left);

/* The same, the names in the colours of series first, first + 1, ... */
void ck_svg_legend_from(ck_svg *c, const char *const *names, size_t n, size_t first,
                        int upper_left);

/* A legend under the chart (made by ck_svg_begin_rows with room for n
 * rows), the names in the colours of series first, first + 1, ... */
void ck_svg_legend_below(ck_svg *c, const char *const *names, size_t n, size_t first);

/* Row `row` of the room ck_svg_begin_rows left below the chart: `caption`
 * at the left, then text[i] centred under data x[i] (NULL: none), in the
 * colour of `series`, grouped as <g class="CLASS" data-series="SERIES">
 * (the bin counts under a reliability diagram). */
void ck_svg_row_below(ck_svg *c, size_t row, const char *caption, const double *x,
                      const char *const *text, size_t n, size_t series, const char *cls);

/* A right-continuous step function (a survival curve): y[i] from x[i] to
 * x[i + 1], the last value on to x_end; x increasing. */
void ck_svg_steps(ck_svg *c, const double *x, const double *y, size_t n, double x_end,
                  size_t series);

/* A translucent band between the step functions lo and hi (a pointwise
 * interval) over the same steps as ck_svg_steps. */
void ck_svg_step_band(ck_svg *c, const double *x, const double *lo, const double *hi, size_t n,
                      double x_end, size_t series);

/* A translucent band between the lines lo and hi through x (a pointwise
 * interval around a ck_svg_line through the same x). */
void ck_svg_band(ck_svg *c, const double *x, const double *lo, const double *hi, size_t n,
                 size_t series);

/* Vertical interval bars at x[i] from lo[i] to hi[i], with short caps
 * (bars with a NaN end are skipped). */
void ck_svg_errorbars(ck_svg *c, const double *x, const double *lo, const double *hi, size_t n,
                      size_t series);

void ck_svg_end(ck_svg *c);

/* A horizontal forest plot: one row per term, a dot at coef and a bar from
 * lo to hi, with a line at zero, xlabel under the axis.  The names' column is as wide as the
 * longest name needs (up to a limit; a longer name is cut with an
 * ellipsis, whole in its tooltip), so that none is clipped. */
void ck_svg_forest(FILE *out, const char *id, const char *title, const char *xlabel,
                   const char *const *names, const double *coef, const double *lo,
                   const double *hi, size_t n);

/* A 2 x 2 confusion matrix: counts[0..3] = tp, fn, fp, tn; rows actual
 * (positive, negative), columns predicted. */
void ck_svg_confusion(FILE *out, const char *id, const char *title, const char *positive,
                      const char *negative, const size_t counts[4]);

#endif
