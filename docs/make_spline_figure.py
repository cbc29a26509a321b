"""make_spline_figure.py -- docs/spline_curve.svg, the README's picture of a
spline term: churnkit's logistic model of the public mlc_churn table with
--splines all --spline-penalty --l2 auto --cv 5, and the partial-effect
curve churnkit-eval --html draws for number_customer_service_calls, taken
out of the report with the report's styles (run from the repository root
after make: /usr/bin/python3 docs/make_spline_figure.py)."""
import os
import re
import subprocess
import tempfile

DATA = "tests/data/public/mlc_churn"
FEATURE = "number_customer_service_calls"

with tempfile.TemporaryDirectory() as tmp:
    model, html = os.path.join(tmp, "m.json"), os.path.join(tmp, "e.html")
    subprocess.run(["bin/churnkit-train", "--data", DATA + ".train.csv", "--label", "churn",
                    "--positive", "yes", "--splines", "all", "--spline-penalty", "--l2", "auto",
                    "--cv", "5", "--name", "splines", "--out", model, "--quiet"], check=True)
    subprocess.run(["bin/churnkit-eval", "--model", model, "--data", DATA + ".test.csv",
                    "--html", html, "--quiet"], check=True)
    page = open(html).read()
style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
for svg in re.findall(r"<svg[^>]*>.*?</svg>", page, re.S):
    if "<title>splines: %s " % FEATURE in svg:
        head, rest = svg.split(">", 1)
        out = head + "><style>" + style + "</style>" + rest
        with open("docs/spline_curve.svg", "w") as f:
            f.write(out + "\n")
        break
else:
    raise SystemExit("no curve of %s in the report" % FEATURE)
