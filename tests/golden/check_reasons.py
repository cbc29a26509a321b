#!/usr/bin/python3
"""The check made once before expected/*.reasons3.csv were remade for the
signed reasons: OLD_DIR holds the files the build at c8f3622 made, NEW_DIR
the new build's.  Every column but the reasons must be identical; every
reason must name the same feature (the old bare column name of a reference
or unseen level may now carry its level, "plan" -> "plan=basic"); a named
reason has an effect; an SVM's reason columns were always empty and are
gone.  Usage: check_reasons.py OLD_DIR NEW_DIR (exits 1 on any problem)."""
import csv
import glob
import os
import sys

bad = 0
for new in sorted(glob.glob(os.path.join(sys.argv[2], "*.reasons3.csv"))):
    name = os.path.basename(new)
    old = list(csv.reader(open(os.path.join(sys.argv[1], name))))
    nw = list(csv.reader(open(new)))
    ho, hn = old[0], nw[0]
    for j, h in enumerate(ho):
        for r in range(1, len(old)):
            o = old[r][j]
            if "_reason" not in h:
                bad += o != nw[r][hn.index(h)]
            elif h not in hn:
                bad += o != ""
            else:
                n = nw[r][hn.index(h)]
                bad += not (o == n or n.startswith(o + "="))
    for k, h in enumerate(hn):
        if h.endswith("_effect"):
            bad += sum(1 for r in nw[1:] if r[k - 1] and not r[k])
print("problems:", bad)
sys.exit(1 if bad else 0)
