/* svg.c -- inline SVG charts (see svg.h). */
#include "churnkit/svg.h"

#include <math.h>
#include <string.h>

/* Okabe-Ito: distinguishable with the common colour-vision deficiencies */
static const char *const palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                      "#E69F00", "#56B4E9", "#F0E442", "#000000"};
#define NCOLOURS (sizeof palette / sizeof *palette)

enum { WIDTH = 460, HEIGHT = 340, LEFT = 64, RIGHT = 16, TOP = 36, BOTTOM = 52 };

void ck_html_escape(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(*s, out);
        }
    }
}

static double px(const ck_svg *c, double x)
{
    return c->left + (x - c->x0) / (c->x1 - c->x0) * c->pw;
}

static double py(const ck_svg *c, double y)
{
    return c->top + c->ph - (y - c->y0) / (c->y1 - c->y0) * c->ph;
}

/* A tick step of 1, 2 or 5 times a power of ten giving about 5 ticks. */
static double tick_step(double span)
{
    double raw = span / 5, mag = pow(10, floor(log10(raw))), r = raw / mag;
    return (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * mag;
}

static void text(FILE *out, double x, double y, const char *anchor, const char *extra,
                 const char *s)
{
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>", x, y, anchor, extra);
    ck_html_escape(out, s);
    fputs("</text>\n", out);
}

static void axes(ck_svg *c)
{
    FILE *o = c->out;
    double sx = tick_step(c->x1 - c->x0), sy = tick_step(c->y1 - c->y0);
    /* tick k is a whole multiple of the step, computed from k rather than
     * summed step by step */
    double kx = ceil(c->x0 / sx), ky = ceil(c->y0 / sy);
    for (int k = 0; (kx + k) * sx <= c->x1 + 1e-9 * sx; k++) {
        double v = (kx + k) * sx;
        char buf[32];
        snprintf(buf, sizeof buf, "%g", fabs(v) < 1e-12 * sx ? 0.0 : v);
        fprintf(o, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                px(c, v), c->top, px(c, v), c->top + c->ph);
        text(o, px(c, v), c->top + c->ph + 16, "middle", " class=\"tick\"", buf);
    }
    for (int k = 0; (ky + k) * sy <= c->y1 + 1e-9 * sy; k++) {
        double v = (ky + k) * sy;
        char buf[32];
        snprintf(buf, sizeof buf, "%g", fabs(v) < 1e-12 * sy ? 0.0 : v);
        fprintf(o, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                c->left, py(c, v), c->left + c->pw, py(c, v));
        text(o, c->left - 6, py(c, v) + 4, "end", " class=\"tick\"", buf);
    }
    fprintf(o, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n",
            c->left, c->top, c->pw, c->ph);
}

enum { LEGEND_ROW = 14 };

void ck_svg_begin(ck_svg *c, FILE *out, const char *id, const char *title, const char *xlabel,
                  const char *ylabel, double x0, double x1, double y0, double y1)
{
    ck_svg_begin_rows(c, out, id, title, xlabel, ylabel, x0, x1, y0, y1, 0);
}

void ck_svg_begin_rows(ck_svg *c, FILE *out, const char *id, const char *title,
                       const char *xlabel, const char *ylabel, double x0, double x1, double y0,
                       double y1, size_t legend_rows)
{
    int height = HEIGHT + (legend_rows ? (int)(LEGEND_ROW * legend_rows) + 8 : 0);
    memset(c, 0, sizeof *c);
    c->height = height;
    c->out = out;
    c->x0 = x0;
    c->x1 = x1 > x0 ? x1 : x0 + 1;
    c->y0 = y0;
    c->y1 = y1 > y0 ? y1 : y0 + 1;
    c->left = LEFT;
    c->top = TOP;
    c->pw = WIDTH - LEFT - RIGHT;
    c->ph = HEIGHT - TOP - BOTTOM;
    fprintf(out, "<svg id=\"%s\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
                 "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n",
            id, WIDTH, height, WIDTH, height);
    fprintf(out, "<title>");
    ck_html_escape(out, title);
    fprintf(out, "</title>\n");
    text(out, WIDTH / 2.0, 20, "middle", " class=\"title\"", title);
    axes(c);
    text(out, c->left + c->pw / 2, HEIGHT - 10, "middle", " class=\"label\"", xlabel);
    char rot[96];
    snprintf(rot, sizeof rot, " class=\"label\" transform=\"rotate(-90 14 %.1f)\"",
             c->top + c->ph / 2);
    text(out, 14, c->top + c->ph / 2, "middle", rot, ylabel);
}

void ck_svg_line(ck_svg *c, const double *x, const double *y, size_t n, size_t series,
                 int dashed)
{
    fprintf(c->out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s points=\"",
            dashed ? "#888" : palette[series % NCOLOURS], dashed ? "1" : "2",
            dashed ? " stroke-dasharray=\"5,4\"" : "");
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]) && !isnan(y[i]))
            fprintf(c->out, "%.1f,%.1f ", px(c, x[i]), py(c, y[i]));
    fputs("\"/>\n", c->out);
}

void ck_svg_points(ck_svg *c, const double *x, const double *y, size_t n, size_t series,
                   double radius)
{
    fprintf(c->out, "<g fill=\"%s\" fill-opacity=\"0.7\">\n", palette[series % NCOLOURS]);
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]) && !isnan(y[i]))
            fprintf(c->out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"/>\n", px(c, x[i]),
                    py(c, y[i]), radius);
    fputs("</g>\n", c->out);
}

void ck_svg_legend_from(ck_svg *c, const char *const *names, size_t n, size_t first,
                        int upper_left)
{
    double x = upper_left ? c->left + 10 : c->left + c->pw - 150;
    double y = upper_left ? c->top + 14 : c->top + c->ph - 14.0 * (double)n - 4;
    for (size_t i = 0; i < n; i++, y += 14) {
        fprintf(c->out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                        "stroke-width=\"3\"/>\n",
                x, y - 4, x + 16, y - 4, palette[(first + i) % NCOLOURS]);
        text(c->out, x + 20, y, "start", " class=\"legend\"", names[i]);
    }
}

void ck_svg_legend(ck_svg *c, const char *const *names, size_t n, int upper_left)
{
    ck_svg_legend_from(c, names, n, 0, upper_left);
}

void ck_svg_legend_below(ck_svg *c, const char *const *names, size_t n, size_t first)
{
    /* the rows under the axis label, in the room ck_svg_begin_rows left */
    double x = c->left, y = HEIGHT + 6;
    for (size_t i = 0; i < n; i++, y += LEGEND_ROW) {
        fprintf(c->out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                        "stroke-width=\"3\"/>\n",
                x, y - 4, x + 16, y - 4, palette[(first + i) % NCOLOURS]);
        text(c->out, x + 20, y, "start", " class=\"legend\"", names[i]);
    }
}

void ck_svg_row_below(ck_svg *c, size_t row, const char *caption, const double *x,
                      const char *const *labels, size_t n, size_t series, const char *cls)
{
    char extra[64];
    double y = HEIGHT + 6 + LEGEND_ROW * (double)row;
    /* a style, not a fill attribute: the page's "svg text" rule would win */
    snprintf(extra, sizeof extra, " class=\"small\" style=\"fill:%s\"",
             palette[series % NCOLOURS]);
    fprintf(c->out, "<g class=\"%s\" data-series=\"%zu\">\n", cls, series);
    text(c->out, c->left - 6, y, "end", extra, caption);
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]) && labels[i])
            text(c->out, px(c, x[i]), y, "middle", extra, labels[i]);
    fputs("</g>\n", c->out);
}

/* The corners of a step function: (x[i], y[i-1]) then (x[i], y[i]), ending
 * at (x_end, y[n-1]); points with a NaN are skipped. */
static void step_points(const ck_svg *c, const double *x, const double *y, size_t n,
                        double x_end, int backwards)
{
    for (size_t k = 0; k < n; k++) {
        size_t i = backwards ? n - 1 - k : k;
        if (isnan(x[i]) || isnan(y[i]))
            continue;
        double next = i + 1 < n ? x[i + 1] : x_end;
        if (next < x[i])
            next = x[i];
        if (backwards)
            fprintf(c->out, "%.1f,%.1f %.1f,%.1f ", px(c, next), py(c, y[i]), px(c, x[i]),
                    py(c, y[i]));
        else
            fprintf(c->out, "%.1f,%.1f %.1f,%.1f ", px(c, x[i]), py(c, y[i]), px(c, next),
                    py(c, y[i]));
    }
}

void ck_svg_steps(ck_svg *c, const double *x, const double *y, size_t n, double x_end,
                  size_t series)
{
    fprintf(c->out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
            palette[series % NCOLOURS]);
    step_points(c, x, y, n, x_end, 0);
    fputs("\"/>\n", c->out);
}

void ck_svg_step_band(ck_svg *c, const double *x, const double *lo, const double *hi, size_t n,
                      double x_end, size_t series)
{
    /* the upper curve forwards, the lower one back: one closed polygon */
    fprintf(c->out, "<polygon fill=\"%s\" fill-opacity=\"0.15\" stroke=\"none\" points=\"",
            palette[series % NCOLOURS]);
    step_points(c, x, hi, n, x_end, 0);
    step_points(c, x, lo, n, x_end, 1);
    fputs("\"/>\n", c->out);
}

void ck_svg_band(ck_svg *c, const double *x, const double *lo, const double *hi, size_t n,
                 size_t series)
{
    /* the upper line forwards, the lower one back, through the points
     * ck_svg_line draws: one closed polygon */
    fprintf(c->out, "<polygon fill=\"%s\" fill-opacity=\"0.15\" stroke=\"none\" points=\"",
            palette[series % NCOLOURS]);
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]) && !isnan(hi[i]))
            fprintf(c->out, "%.1f,%.1f ", px(c, x[i]), py(c, hi[i]));
    for (size_t k = 0; k < n; k++) {
        size_t i = n - 1 - k;
        if (!isnan(x[i]) && !isnan(lo[i]))
            fprintf(c->out, "%.1f,%.1f ", px(c, x[i]), py(c, lo[i]));
    }
    fputs("\"/>\n", c->out);
}

void ck_svg_errorbars(ck_svg *c, const double *x, const double *lo, const double *hi, size_t n,
                      size_t series)
{
    fprintf(c->out, "<g stroke=\"%s\" stroke-width=\"1.5\">\n", palette[series % NCOLOURS]);
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i]) || isnan(lo[i]) || isnan(hi[i]))
            continue;
        double X = px(c, x[i]), a = py(c, lo[i]), b = py(c, hi[i]);
        fprintf(c->out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                X, a, X, b, X - 3, a, X + 3, a, X - 3, b, X + 3, b);
    }
    fputs("</g>\n", c->out);
}

void ck_svg_end(ck_svg *c)
{
    fputs("</svg>\n", c->out);
}

/* Characters (not bytes) of UTF-8 text. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Pixels a tick label of n characters may take at 11px: 6.6 a character
 * covers digits, lower case and most capitals of the usual sans fonts. */
#define TICK_CHAR_PX 6.6
enum { NAME_CHARS_MAX = 64 };

/* A term's name, cut to NAME_CHARS_MAX characters with an ellipsis, the
 * whole name in a tooltip; end-anchored at x. */
static void forest_name(FILE *out, double x, double y, const char *name)
{
    char cut[NAME_CHARS_MAX * 4 + 4];
    const char *shown = name;
    if (chars(name) > NAME_CHARS_MAX) {
        /* k: the first byte of character NAME_CHARS_MAX, where the cut goes
         * (NAME_CHARS_MAX - 1 characters and the ellipsis) */
        size_t k = 0, started = 0;
        for (; name[k]; k++)
            if (((unsigned char)name[k] & 0xC0) != 0x80 && ++started == NAME_CHARS_MAX)
                break;
        snprintf(cut, sizeof cut, "%.*s\xe2\x80\xa6", (int)k, name); /* U+2026 */
        shown = cut;
    }
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" class=\"tick\"><title>", x,
            y);
    ck_html_escape(out, name);
    fputs("</title>", out);
    ck_html_escape(out, shown);
    fputs("</text>\n", out);
}

void ck_svg_forest(FILE *out, const char *id, const char *title, const char *xlabel,
                   const char *const *names, const double *coef, const double *lo,
                   const double *hi, size_t n)
{
    enum { ROW = 18, NAMEW = 220, FW = 440 };
    /* the names' column: as wide as the longest name needs, so that none
     * runs off the left edge (at least the old 230 pixels) */
    size_t longest = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = chars(names[i]);
        longest = k > longest ? k : longest;
    }
    if (longest > NAME_CHARS_MAX)
        longest = NAME_CHARS_MAX;
    double need = TICK_CHAR_PX * (double)longest + 16;
    const double FLEFT = need > 230 ? ceil(need) : 230;
    double a = 0, b = 0;
    for (size_t i = 0; i < n; i++) {
        double l = isnan(lo[i]) ? coef[i] : lo[i], h = isnan(hi[i]) ? coef[i] : hi[i];
        a = l < a ? l : a;
        b = h > b ? h : b;
    }
    double pad = 0.05 * (b - a > 0 ? b - a : 1);
    ck_svg c = {.out = out, .x0 = a - pad, .x1 = b + pad, .y0 = 0, .y1 = (double)n,
                .left = FLEFT, .top = TOP, .pw = FW - 230 - RIGHT + NAMEW,
                .ph = (double)(ROW * (n ? n : 1))};
    int h = (int)(TOP + c.ph + BOTTOM), w = (int)(FLEFT + c.pw + RIGHT);
    fprintf(out, "<svg id=\"%s\" class=\"chart forest\" xmlns=\"http://www.w3.org/2000/svg\" "
                 "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n<title>",
            id, w, h, w, h);
    ck_html_escape(out, title);
    fputs("</title>\n", out);
    text(out, w / 2.0, 20, "middle", " class=\"title\"", title);
    double sx = tick_step(c.x1 - c.x0), kx = ceil(c.x0 / sx);
    for (int k = 0; (kx + k) * sx <= c.x1; k++) { /* as in axes */
        double v = (kx + k) * sx;
        char buf[32];
        snprintf(buf, sizeof buf, "%g", fabs(v) < 1e-12 * sx ? 0.0 : v);
        fprintf(out, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                px(&c, v), c.top, px(&c, v), c.top + c.ph);
        text(out, px(&c, v), c.top + c.ph + 16, "middle", " class=\"tick\"", buf);
    }
    fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/>\n",
            px(&c, 0), c.top, px(&c, 0), c.top + c.ph);
    for (size_t i = 0; i < n; i++) {
        double y = c.top + ROW * ((double)i + 0.5);
        forest_name(out, FLEFT - 8, y + 4, names[i]);
        if (!isnan(lo[i]) && !isnan(hi[i]))
            fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                         "stroke-width=\"2\"/>\n",
                    px(&c, lo[i]), y, px(&c, hi[i]), y, palette[0]);
        fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>\n", px(&c, coef[i]),
                y, palette[1]);
    }
    text(out, c.left + c.pw / 2, h - 10, "middle", " class=\"label\"", xlabel);
    fputs("</svg>\n", out);
}

void ck_svg_confusion(FILE *out, const char *id, const char *title, const char *positive,
                      const char *negative, const size_t counts[4])
{
    enum { CELL = 110, CL = 130, CT = 70 };
    size_t total = counts[0] + counts[1] + counts[2] + counts[3];
    int w = CL + 2 * CELL + 20, h = CT + 2 * CELL + 30;
    fprintf(out, "<svg id=\"%s\" class=\"chart confusion\" xmlns=\"http://www.w3.org/2000/svg\" "
                 "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n<title>",
            id, w, h, w, h);
    ck_html_escape(out, title);
    fputs("</title>\n", out);
    text(out, w / 2.0, 20, "middle", " class=\"title\"", title);
    text(out, CL + CELL, 44, "middle", " class=\"label\"", "predicted");
    const char *lab[2] = {positive, negative};
    for (int k = 0; k < 2; k++) {
        text(out, CL + CELL * (k + 0.5), 62, "middle", " class=\"tick\"", lab[k]);
        text(out, CL - 8, CT + CELL * (k + 0.5) + 4, "end", " class=\"tick\"", lab[k]);
    }
    char rot[96];
    snprintf(rot, sizeof rot, " class=\"label\" transform=\"rotate(-90 18 %d)\"", CT + CELL);
    text(out, 18, CT + CELL, "middle", rot, "actual");
    for (int r = 0; r < 2; r++) {
        size_t row = counts[2 * r] + counts[2 * r + 1];
        for (int col = 0; col < 2; col++) {
            size_t v = counts[2 * r + col];
            double share = row ? (double)v / (double)row : 0;
            /* correct cells blue, errors orange; darker for a larger row share */
            const char *base = r == col ? "0,114,178" : "213,94,0";
            fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                         "fill=\"rgba(%s,%.2f)\" stroke=\"#fff\"/>\n",
                    CL + col * CELL, CT + r * CELL, CELL, CELL, base, 0.12 + 0.6 * share);
            char buf[64];
            snprintf(buf, sizeof buf, "%zu", v);
            text(out, CL + CELL * (col + 0.5), CT + CELL * (r + 0.5) - 4, "middle",
                 " class=\"count\"", buf);
            snprintf(buf, sizeof buf, "%.1f%% of row", 100 * share);
            text(out, CL + CELL * (col + 0.5), CT + CELL * (r + 0.5) + 18, "middle",
                 " class=\"small\"", buf);
            snprintf(buf, sizeof buf, "%.1f%% of all", total ? 100.0 * (double)v / (double)total : 0);
            text(out, CL + CELL * (col + 0.5), CT + CELL * (r + 0.5) + 31, "middle",
                 " class=\"small\"", buf);
        }
    }
    fputs("</svg>\n", out);
}
