#!/bin/sh
# Every example command in README.md and in the man pages' EXAMPLES
# sections runs, so that the documentation cannot drift from the programs
# (issue 18 found a `$ churnkit-predict` that needed `make install`, and a
# --no-header example that could not work).
#
# What counts as an example command:
#   README.md  every line of a ```sh block, and in the other blocks each
#              line starting with "$ " (the output after it is not checked:
#              figures change with the data) -- except in a ```text block:
#              there every line but "..." is output the command before it
#              (the block's own "$ " line, else the last command of the
#              blocks before) must print, as a whole line, so that the
#              worked example's figures are the ones its commands give;
#   man/*.1    every command in the .nf ... .fi blocks of EXAMPLE(S), the
#              roff escapes \- \e \\ read as - \ \.
# A command goes on while a line ends with a backslash or a quote is open.
#
# They run in a scratch directory laid out as the examples assume: bin/
# (the programs, also on PATH for the man pages' bare names),
# tests/data/public/, and small stand-ins for the files the examples name
# but do not make -- features.csv and later.csv (and today.csv, a copy)
# from a synthetic world of 600 accounts; build/demo/features_eval.csv and
# models/demo/churn_3m.json and value_3m.json as `make demo` trains them,
# on that world; attrition's and mlc_churn's CSV files beside them;
# part-0001 (headerless rows of mlc_churn.test.csv); peer.csv (the churn
# column beside a peer's probabilities).  The README runs first, then the
# pages in the order features, synth, train, predict, eval, so that each
# finds the models the ones before it made.
#
# The README's commands run with PATH as it was (they name bin/...: a bare
# churnkit-predict would need `make install`), the man pages' with bin/ on
# it.  CK_EXAMPLES_TIMES=1 prints each command's seconds.
#
# Adapted, to keep the test to seconds (each rewrite is listed in ADAPT
# below): 500 gradient-boosted trees under 5-fold CV take a minute, so 20;
# a world of 10,000 accounts becomes 1,000; /tmp/w becomes w (the test
# writes only in its own directory).  Skipped: `make demo` and `make check`
# (what runs this test).  A command with --fail-under may exit 1: missing
# the target on small data is the documented outcome.
. "$(dirname "$0")/lib.sh"
B=$(cd "$CK_BIN" && pwd) || fail "no directory CK_BIN=$CK_BIN"
E="$T/ex"
mkdir -p "$E/tests/data" "$E/build/demo" "$E/models/demo" || fail "mkdir"
ln -s "$B" "$E/bin" && ln -s "$DATA/public" "$E/tests/data/public" || fail "ln"
README_PATH=$PATH            # the README's commands run from the source tree: bin/...
PATH="$B:$PATH"; export PATH  # the man pages' bare names: as installed
cd "$E" || fail "cd $E"

# ---- the stand-ins
cp "$DATA"/public/*.csv . || fail "cp"
churnkit-synth --accounts 600 --months 24 --seed 1 --out world --quiet || fail "synth"
churnkit-features --world world --snapshot 2024-10-01 --out features.csv --quiet || fail "features"
churnkit-features --world world --snapshot 2025-04-01 --out later.csv --quiet || fail "features"
cp later.csv today.csv && cp later.csv build/demo/features_eval.csv || fail "cp"
LABELS=churned_3m,churned_6m,value_change_3m,value_change_6m,revenue_next_6m,high_value,churn_months,churn_event
churnkit-train --data features.csv --label churned_3m --id account_id --exclude $LABELS --l2 1 \
  --drop-missing-label --name churn_3m --out models/demo/churn_3m.json --quiet || fail "demo churn_3m"
churnkit-train --data features.csv --label value_change_3m --model linear --robust --id account_id \
  --exclude $LABELS --drop-missing-label --name value_3m --out models/demo/value_3m.json --quiet \
  || fail "demo value_3m"
tail -n +2 mlc_churn.test.csv | head -200 > part-0001
churnkit-train --data mlc_churn.train.csv --label churn --l2 1 --name peer --out peer.json --quiet \
  || fail "peer model"
churnkit-predict --model peer.json --data mlc_churn.test.csv --out peer_scores.csv --quiet || fail "peer scores"
cut -d, -f20 mlc_churn.test.csv | paste -d, - peer_scores.csv | sed '1s/peer_prob/sklearn_prob/' > peer.csv

# ---- the commands, one a line (NUL-free), each with where it came from
/usr/bin/python3 - "$ROOT" > "$T/commands" <<'PY' || fail "cannot extract the examples"
import re, shlex, sys
root = sys.argv[1]

def complete(text):
    if text.endswith("\\"):
        return False
    try:
        shlex.split(text)
    except ValueError:          # a quote still open
        return False
    return True

def commands(lines, where):
    """(line number, command) from consecutive lines of shell."""
    out, cur, first = [], [], 0
    for n, line in lines:
        if not cur:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            first = n
        cur.append(line)
        text = "\n".join(cur)
        if complete(text):
            out.append(("%s:%d" % (where, first), text))
            cur = []
    if cur:
        out.append(("%s:%d" % (where, first), "\n".join(cur)))
    return out

found = []
lines = open(root + "/README.md", encoding="utf-8").read().split("\n")
i = 0
while i < len(lines):
    m = re.match(r"^(\s*)```(\w*)\s*$", lines[i])
    if not m:
        i += 1
        continue
    indent, lang, body, i = len(m.group(1)), m.group(2), [], i + 1
    while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
        body.append((i + 1, lines[i][indent:]))
        i += 1
    i += 1
    if lang == "sh":
        found += commands(body, "README.md")
    elif lang == "text" and body and not body[0][1].startswith("$ "):
        # what the command before prints: each line but "..." is checked
        found += [("=README.md:%d" % n, line) for n, line in body if line != "..."]
    else:
        k = 0
        while k < len(body):
            n, line = body[k]
            if line.startswith("$ "):
                cmd, k = [line[2:]], k + 1
                while not complete("\n".join(cmd)) and k < len(body):
                    cmd.append(body[k][1])
                    k += 1
                found.append(("README.md:%d" % n, "\n".join(cmd)))
            elif lang == "text" and line != "...":
                found.append(("=README.md:%d" % n, line))
                k += 1
            else:
                k += 1

for page in ("features", "synth", "train", "predict", "eval"):
    path = "man/churnkit-%s.1" % page
    lines = open(root + "/" + path, encoding="utf-8").read().split("\n")
    inside = fill = False
    block = []
    for n, line in enumerate(lines, 1):
        if line.startswith(".SH"):
            inside = line.split(None, 1)[1].strip('"') in ("EXAMPLE", "EXAMPLES")
            continue
        if not inside:
            continue
        if line.startswith(".nf"):
            fill, block = True, []
        elif line.startswith(".fi"):
            fill = False
            found += commands(block, path)
        elif fill:
            text = line.replace("\\\\", "\x00").replace("\\-", "-").replace("\\e", "\\")
            block.append((n, text.replace("\x00", "\\")))

for where, cmd in found:
    print(where + "\t" + cmd.replace("\\", "\\\\").replace("\n", "\\n"))
PY

# ADAPT: each example rewritten before it runs (see the head of this file)
adapt() {
  sed -e 's/--trees 500/--trees 20/' -e 's/--accounts 10000/--accounts 1000/' -e 's#/tmp/w\b#w#g'
}

n=0; bad=0; lines=0
: > "$T/out"
while IFS="$(printf '\t')" read -r where cmd; do
  case $where in
    =*) # a line of a ```text block: the command before printed it
      lines=$((lines + 1))
      line=$(printf '%b' "$cmd")
      if ! grep -qxF -- "$line" "$T/out"; then
        echo "FAIL (test_examples.sh): ${where#=}: the command before does not print: $line" >&2
        bad=$((bad + 1))
      fi
      continue ;;
  esac
  cmd=$(printf '%b' "$cmd" | adapt)
  case $cmd in make\ *) continue ;; esac
  n=$((n + 1))
  case $where in README.md:*) run_path=$README_PATH ;; *) run_path=$PATH ;; esac
  s0=$(date +%s)
  PATH="$run_path" sh -c "$cmd" > "$T/out" 2> "$T/err"; rc=$?
  [ -n "${CK_EXAMPLES_TIMES:-}" ] && echo "$(( $(date +%s) - s0 ))s $where" >&2
  case $cmd in *--fail-under*) [ $rc = 1 ] && rc=0 ;; esac
  if [ $rc != 0 ]; then
    echo "FAIL (test_examples.sh): $where exited $rc: $(echo "$cmd" | head -3)" >&2
    sed 's/^/  /' "$T/err" | head -5 >&2
    bad=$((bad + 1))
  fi
done < "$T/commands"
echo "documentation examples: $n commands run, $lines lines of their output checked" >&2
[ "$lines" -ge 15 ] || fail "only $lines output lines checked: are the README's \`\`\`text blocks gone?"
# the extraction found them all: README 9 and the pages' 16 when this was written
[ "$n" -ge 25 ] || fail "only $n example commands found: is the extraction broken?"
[ "$bad" = 0 ] || fail "$bad of $n example commands failed (above)"
exit 0
