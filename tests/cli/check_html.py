#!/usr/bin/python3
"""Checks that an HTML report is well formed and self-contained, and holds
the charts named on the command line (by element id):

    check_html.py REPORT.html ID [ID ...]

Well formed: every element closed in order (void elements and self-closing
SVG elements aside); self-contained: no script, no stylesheet or image
fetched from anywhere.  Exits 1 with the reason on failure.

The charts are checked too, wherever the report has them (issue 18):

  - pr: every legend entry gives the model's average precision, and no
    legend text or swatch covers a point of a curve;
  - forest plots (class "forest"): no term name runs off the left edge,
    and the axis label stays inside the chart;
  - reliability: a row of bin counts a model (<g class="bincount">), ten
    whole numbers each summing to the rows the report's meta line names;
  - scatter-*: the predictions fill at least half of the plot's height
    (on the actual values' range they lay flat in a band).

Text widths are estimated at TICK_CHAR_PX a character of 11px text (what
svg.c reserves for a name), LEGEND_CHAR_PX for the legends."""
import re
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

TICK_CHAR_PX = 6.6
LEGEND_CHAR_PX = 6.6
SVG = "{http://www.w3.org/2000/svg}"

VOID = {"meta", "br", "img", "input", "link", "hr", "area", "base", "col", "source", "wbr"}


class Checker(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.ids, self.errors = [], set(), []
        self.svgs = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "script":
            self.errors.append("a <script> element")
        for k in ("src", "href"):
            if k in a and not a[k].startswith("#"):
                self.errors.append("an external reference %s=%s" % (k, a[k]))
        if tag == "svg":
            self.svgs += 1
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack:
            self.errors.append("</%s> at %s closes nothing" % (tag, self.getpos()))
            return
        top, pos = self.stack.pop()
        if top != tag:
            self.errors.append("</%s> at %s closes <%s> opened at %s" % (tag, self.getpos(), top, pos))


def svgs(text):
    """Each inline <svg> as an ElementTree element, by id."""
    out = {}
    for m in re.finditer(r"<svg\b.*?</svg>", text, re.S):
        el = ET.fromstring(m.group(0))
        out[el.get("id", "")] = el
    return out


def points(el):
    """Every vertex of every polyline and polygon, and every circle."""
    pts = []
    for tag in ("polyline", "polygon"):
        for pl in el.iter(SVG + tag):
            for xy in pl.get("points", "").split():
                x, y = xy.split(",")
                pts.append((float(x), float(y)))
    for c in el.iter(SVG + "circle"):
        pts.append((float(c.get("cx")), float(c.get("cy"))))
    return pts


def frame(el):
    for r in el.iter(SVG + "rect"):
        if r.get("class") == "frame":
            return [float(r.get(k)) for k in ("x", "y", "width", "height")]
    return None


def text_of(t):
    return "".join(t.itertext()) if t.find(SVG + "title") is None else (t.find(SVG + "title").tail or "")


def check_pr(el, errors):
    legend = [t for t in el.iter(SVG + "text") if t.get("class") == "legend"]
    if not legend:
        errors.append("pr: no legend")
    pts = points(el)
    for t in legend:
        s, x, y = text_of(t), float(t.get("x")), float(t.get("y"))
        if not re.search(r"\(AP \d\.\d{3}\)$", s):
            errors.append("pr: legend '%s' gives no average precision" % s)
        # the text and its swatch (20 px to its left)
        x0, x1, y0, y1 = x - 22, x + LEGEND_CHAR_PX * len(s), y - 11, y + 3
        hit = [p for p in pts if x0 <= p[0] <= x1 and y0 <= p[1] <= y1]
        if hit:
            errors.append("pr: legend '%s' covers the curve at %s" % (s, hit[0]))


def check_forest(name, el, errors):
    width = float(el.get("width"))
    for t in el.iter(SVG + "text"):
        if t.get("class") == "tick" and t.get("text-anchor") == "end":
            s = text_of(t)
            left = float(t.get("x")) - TICK_CHAR_PX * len(s)
            if left < 0:
                errors.append("%s: the name '%s' is clipped on the left (%.0f px)" % (name, s, left))
        if t.get("class") == "label" and t.get("text-anchor") == "middle":
            s = text_of(t)
            half = TICK_CHAR_PX * len(s) / 2
            x = float(t.get("x"))
            if x - half < 0 or x + half > width:
                errors.append("%s: the axis label '%s' runs off the chart (%.0f to %.0f of %.0f px)"
                              % (name, s, x - half, x + half, width))


def check_reliability(el, rows, errors):
    groups = [g for g in el.iter(SVG + "g") if g.get("class") == "bincount"]
    if not groups:
        errors.append("reliability: no bin counts")
    for g in groups:
        counts = [t.text for t in g.iter(SVG + "text") if t.text and t.text.isdigit()]
        if len(counts) != 10:
            errors.append("reliability: %d bin counts, not 10" % len(counts))
        elif rows is not None and sum(map(int, counts)) != rows:
            errors.append("reliability: bin counts sum to %d, not the %d rows" % (sum(map(int, counts)), rows))


def check_scatter(name, el, errors):
    f = frame(el)
    ys = [float(c.get("cy")) for c in el.iter(SVG + "circle")]
    if f and len(ys) > 1 and max(ys) - min(ys) < 0.5 * f[3]:
        errors.append("%s: the predictions fill %.0f of the plot's %.0f px: flat" % (name, max(ys) - min(ys), f[3]))


def check_charts(text, errors):
    m = re.search(r"&middot; (\d+) rows &middot;", text)
    rows = int(m.group(1)) if m else None
    for name, el in svgs(text).items():
        if name == "pr":
            check_pr(el, errors)
        elif name == "reliability":
            check_reliability(el, rows, errors)
        elif name.startswith("scatter-"):
            check_scatter(name, el, errors)
        if "forest" in (el.get("class") or "").split():
            check_forest(name, el, errors)


def main():
    path, want = sys.argv[1], sys.argv[2:]
    text = open(path, encoding="utf-8").read()
    c = Checker()
    c.feed(text)
    c.close()
    if not text.lstrip().lower().startswith("<!doctype html>"):
        c.errors.append("no <!DOCTYPE html>")
    if c.stack:
        c.errors.append("unclosed elements: %s" % ", ".join(t for t, _ in c.stack))
    for i in want:
        if i not in c.ids:
            c.errors.append("no element with id '%s'" % i)
    if not c.errors:
        check_charts(text, c.errors)
    if c.errors:
        print("%s: %s" % (path, "; ".join(c.errors[:5])), file=sys.stderr)
        return 1
    print("%s: well formed, %d charts" % (path, c.svgs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
