#!/usr/bin/python3
"""The check made once before the expected scores of data/accounts_score.csv
were remade for the value groups: OLD_DIR holds the golden files as they
were, NEW_DIR the new build's, DATA the scored table.  Every old column
must be identical and in place; the new build adds exactly value_group and
value_play, last; value_group must be seed 004's rule at its default
cut-offs (docs/value-model.md), computed here from DATA on its own; each
group has one play, a different one.  Files that did not change pass.
Usage: check_value_groups.py OLD_DIR NEW_DIR DATA (exits 1 on any problem)."""
import csv
import glob
import os
import sys


def group(row):
    """at_risk: NPS <= 6 or active-day share < 0.15; high_value: NPS >= 9,
    core clicks per user >= 100, breadth >= 10; potential: not deep or not
    broad; engaged: the rest.  An empty NPS is neither low nor high; an
    empty usage value leaves no group unless the row is at risk."""
    num = lambda k: float(row[k]) if row[k] != "" else None
    n, a = num("nps_avg"), num("active_day_share")
    d, b = num("core_clicks_per_user"), num("feature_breadth")
    if (n is not None and n <= 6) or (a is not None and a < 0.15):
        return "at_risk"
    if a is None or d is None or b is None:
        return ""
    if d < 100 or b < 10:
        return "potential"
    return "high_value" if n is not None and n >= 9 else "engaged"


old_dir, new_dir, data = sys.argv[1:4]
want = [group(r) for r in csv.DictReader(open(data))]  # in row order, as scored
bad = changed = 0
for new in sorted(glob.glob(os.path.join(new_dir, "*.csv"))):
    name = os.path.basename(new)
    old = list(csv.reader(open(os.path.join(old_dir, name))))
    nw = list(csv.reader(open(new)))
    if old == nw:
        continue
    changed += 1
    k = len(old[0])
    if nw[0] != old[0] + ["value_group", "value_play"] or not len(nw) == len(old) == len(want) + 1:
        print(name, ": header or rows", nw[0][k:], len(nw), len(old))
        bad += 1
        continue
    plays = {}
    for o, r, g in zip(old[1:], nw[1:], want):
        bad += r[:k] != o
        bad += r[k] != g
        plays.setdefault(r[k], set()).add(r[k + 1])
    bad += any(len(p) != 1 for p in plays.values())
    bad += len({p for s in plays.values() for p in s}) != len(plays)
    print(name, ": groups", {g: sum(1 for r in nw[1:] if r[k] == g) for g in sorted(plays)})
print("changed files:", changed, "problems:", bad)
sys.exit(1 if bad or not changed else 0)
