#!/bin/sh
# No partial output, ever: churnkit-train and churnkit-predict killed with
# SIGKILL at moments all through their run (while reading, computing and
# writing) leave the previous output intact -- or, killed after the rename,
# a complete new one -- and nothing that stops the next run.  SIGTERM,
# SIGINT and SIGHUP mid-write also leave no temporary behind.
. "$(dirname "$0")/lib.sh"
B="$CK_BIN"
IN="$ROOT/tests/bad/inputs"
awk 'BEGIN { srand(8); print "id,x1,x2,plan,y"
  for (i = 0; i < 400000; i++) printf "c%d,%.4f,%.3f,%s,%s\n", i, rand() * 2 - 1, rand() * 10,
    (rand() < 0.5 ? "basic" : "pro"), (rand() < 0.4 ? "yes" : "no") }' > "$T/big.csv"
rows=400000

check_predict_output() { # the file is the old one or a complete new one
  if cmp -s "$T/scores.csv" "$T/old.csv"; then return 0; fi
  [ "$(wc -l < "$T/scores.csv")" = $((rows + 1)) ] || fail "a partial score file: $(wc -l < "$T/scores.csv") lines"
  tail -c 1 "$T/scores.csv" | od -c | grep -q '\\n' || fail "the score file does not end with a line end"
}

check_model_output() {
  if cmp -s "$T/model.json" "$T/old.json"; then return 0; fi
  "$B/churnkit-predict" --model "$T/model.json" --data "$IN/base.csv" --out /dev/null --quiet 2>/dev/null \
    || fail "a partial or damaged model file"
}

kill_after() { # seconds command...
  delay=$1; shift
  "$@" > /dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
}

printf 'previous scores\n' > "$T/old.csv"
printf '{"previous": "model"}\n' > "$T/old.json"
for delay in 0.01 0.05 0.1 0.2 0.3 0.4 0.6 0.8; do
  cp "$T/old.csv" "$T/scores.csv"
  kill_after $delay "$B/churnkit-predict" --model "$IN/base.json" --data "$T/big.csv" --out "$T/scores.csv" --quiet
  check_predict_output
  cp "$T/old.json" "$T/model.json"
  kill_after $delay "$B/churnkit-train" --data "$T/big.csv" --label y --id id --l2 1 --cv 3 --out "$T/model.json" --quiet
  check_model_output
done
# SIGTERM, SIGINT, SIGHUP mid-write: predict reads a FIFO this shell holds
# open after writing half of the rows, so it is certainly part-way
# through its output (the temporary written to) when the signal comes
S="$T/sig" # apart from the temporaries SIGKILL left above
mkdir "$S"
mkfifo "$S/in.fifo"
head -n 200001 "$T/big.csv" > "$T/half.csv"
temps() { ls -a "$S" | grep -c '\.tmp-'; }
for sig in TERM INT HUP; do
  cp "$T/old.csv" "$S/scores.csv"
  # a background job of a non-interactive shell ignores SIGINT, a run
  # under nohup ignores SIGHUP, and an ignored signal stays ignored
  # (nohup's rule, kept by the programs): started through python, the
  # default actions are back
  /usr/bin/python3 -c 'import os, signal, sys; [signal.signal(s, signal.SIG_DFL) for s in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM)]; os.execv(sys.argv[1], sys.argv[1:])' \
    "$B/churnkit-predict" --model "$IN/base.json" --data "$S/in.fifo" --out "$S/scores.csv" --quiet 2>/dev/null &
  pid=$!
  exec 3> "$S/in.fifo"
  cat "$T/half.csv" >&3
  tries=0
  until [ -n "$(find "$S" -name '.scores.csv.tmp-*' -size +64k)" ]; do
    tries=$((tries + 1)); [ $tries -lt 1000 ] || fail "SIG$sig: no temporary being written"
    sleep 0.01
  done
  kill -s $sig $pid
  wait $pid 2>/dev/null; code=$?
  exec 3>&-
  [ $code -gt 128 ] || fail "SIG$sig: predict exited $code, not killed by the signal"
  [ "$(kill -l $((code - 128)))" = "$sig" ] || fail "SIG$sig: ended by $(kill -l $((code - 128))) instead"
  [ "$(temps)" = 0 ] || fail "SIG$sig left a temporary: $(ls -a "$S" | grep '\.tmp-')"
  cmp -s "$S/scores.csv" "$T/old.csv" || fail "SIG$sig: the old scores were not kept"
done

# the next runs are not blocked by what the killed ones left
ok "$B/churnkit-predict" --model "$IN/base.json" --data "$T/big.csv" --out "$T/scores.csv" --quiet
[ "$(wc -l < "$T/scores.csv")" = $((rows + 1)) ] || fail "the run after the kills did not complete"
ok "$B/churnkit-train" --data "$T/big.csv" --label y --id id --l2 1 --out "$T/model.json" --quiet
check_model_output
exit 0
