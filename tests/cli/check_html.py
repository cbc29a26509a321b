#!/usr/bin/python3
"""Checks that an HTML report is well formed and self-contained, and holds
the charts named on the command line (by element id):

    check_html.py REPORT.html ID [ID ...]

Well formed: every element closed in order (void elements and self-closing
SVG elements aside); self-contained: no script, no stylesheet or image
fetched from anywhere.  Exits 1 with the reason on failure."""
import sys
from html.parser import HTMLParser

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
    if c.errors:
        print("%s: %s" % (path, "; ".join(c.errors[:5])), file=sys.stderr)
        return 1
    print("%s: well formed, %d charts" % (path, c.svgs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
