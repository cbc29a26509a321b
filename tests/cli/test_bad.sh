#!/bin/sh
# The hostile corpus (tests/bad/cases): every case through every program
# that reads that kind of input, each with its exit code and a fragment of
# its message; a failing run must leave no output file behind.
. "$(dirname "$0")/lib.sh"
B="$CK_BIN"
IN="$ROOT/tests/bad/inputs"
BASE="$IN/base.json"
n=0

# A small synthetic world, and the big inputs, made once.
"$B/churnkit-synth" --accounts 200 --months 8 --seed 2 --out "$T/world" --quiet || fail "synth"

make_input() { # name -> prints the path of the input it stands for
  case $1 in
    @missing) echo /nonexistent/input.csv ;;
    @directory) echo "$IN" ;;
    @full) echo /dev/full ;;
    @notdir) echo /etc/passwd/out.csv ;;
    @unwritable) # root writes anywhere chmod allows nothing; /proc takes no new files
      if [ "$(id -u)" = 0 ]; then echo /proc/churnkit-out
      else mkdir -p "$T/ro" && chmod 555 "$T/ro" && echo "$T/ro/out"; fi ;;
    @filesize) echo "$T/limited/out" ;;
    @big_field)
      [ -e "$T/big_field.csv" ] || { head -5 "$IN/base.csv"
        printf 'c99,0.5,1.5,%s,yes\n' "$(head -c 10485760 /dev/zero | tr '\0' 'x')"
        tail -n +6 "$IN/base.csv"; } > "$T/big_field.csv"
      echo "$T/big_field.csv" ;;
    @wide)
      [ -e "$T/wide.csv" ] || awk 'BEGIN { n = 100000; srand(3)
          for (j = 1; j <= n; j++) printf "x%d,", j; print "y"
          for (i = 0; i < 6; i++) { for (j = 1; j <= n; j++) printf "%.3f,", rand(); print (i % 2 ? "yes" : "no") } }' \
          > "$T/wide.csv"
      echo "$T/wide.csv" ;;
    @late_text)
      [ -e "$T/late_text.csv" ] || awk 'BEGIN { print "x1,x2,plan,y"
          for (i = 1; i < 1000000; i++) printf "%d,%.2f,%s,%s\n", i, (i % 97) / 10, (i % 3 ? "basic" : "pro"), (i % 2 ? "yes" : "no")
          print "abc,1.5,pro,no" }' > "$T/late_text.csv"
      echo "$T/late_text.csv" ;;
    @cr_big) # over 4 MiB with CR-only line ends: more than one part for train's loader
      [ -e "$T/cr_big.csv" ] || awk 'BEGIN { printf "x1,x2,plan,y\r"
          for (i = 0; i < 200000; i++) printf "%.3f,%.3f,%s,%s\r", (i % 89) / 10 - 4, (i % 97) / 10, (i % 3 ? "basic" : "pro"), (i % 5 < 2 ? "yes" : "no") }' \
          > "$T/cr_big.csv"
      echo "$T/cr_big.csv" ;;
    @big_quote) # a quote opened on line 3 never closes: over the 64 MiB field limit
      [ -e "$T/big_quote.csv" ] || { head -2 "$IN/base.csv"; printf 'c2,"0.5,1.5,basic,no\n'
          yes 'c3,0.5,1.5,basic,no' | head -c 70000000; } > "$T/big_quote.csv"
      echo "$T/big_quote.csv" ;;
    @world:*)
      spec=${1#@world:}; file=${spec%%=*}; what=${spec#*=}
      d="$T/w_$what"; rm -rf "$d"; cp -r "$T/world" "$d"; f="$d/$file"
      case $what in
        unknown_user) sed -i '3s/^[^,]*/U999999-9999/' "$f" ;;
        bad_date) sed -i '3s/,[0-9-]*,/,2024-02-30,/' "$f" ;;
        out_of_order) late=$(awk -F, 'NR > 1 && $2 < "2024-07-01"' "$f" | tail -1)
                      { head -1 "$f"; echo "$late"; tail -n +2 "$f"; } > "$f.x" && mv "$f.x" "$f" ;;
        unknown_account) sed -i '2s/,A[0-9]*,/,A999999,/' "$f" ;;
        bad_month) sed -i '2s/,[0-9]*-[0-9]*,/,2024-13,/' "$f" ;;
        bad_score) sed -i '2s/,[0-9]*$/,11/' "$f" ;;
        missing_column) cut -d, -f1-5 "$f" > "$f.x" && mv "$f.x" "$f" ;;
        unknown_feature) sed -i '2s/,[a-z_]*,\([0-9]*\)$/,nosuchfeature,\1/' "$f" ;;
        empty) : > "$f" ;;
        dup_revenue) sed -n 2p "$f" | sed 's/,[0-9.]*$/,1000/' >> "$f" ;;
        dup_catalogue) sed -n 2p "$f" | awk -F, -v OFS=, '{ $2 = 1 - $2; print }' >> "$f" ;;
        *) fail "unknown world case $what" ;;
      esac
      echo "$d" ;;
    *) echo "$IN/$1" ;;
  esac
}

run() { # mode input code fragment
  mode=$1; input=$2; code=$3; frag=$4
  rm -f "$T/out.csv" "$T/out.json"
  case $mode in
    train) set -- "$B/churnkit-train" --data "$input" --label y --l2 1 --out "$T/out.json" --quiet ;;
    train0) set -- "$B/churnkit-train" --data "$input" --label y --id id --out "$T/out.json" --quiet ;;
    predict) set -- "$B/churnkit-predict" --model "$BASE" --data "$input" --out "$T/out.csv" ;;
    eval) set -- "$B/churnkit-eval" --model "$BASE" --data "$input" --quiet ;;
    scores) set -- "$B/churnkit-eval" --scores "$input" --label y --prob p --quiet ;;
    actions) set -- "$B/churnkit-predict" --model "$BASE" --data "$IN/base.csv" --actions "$input" --out "$T/out.csv" ;;
    mpredict) set -- "$B/churnkit-predict" --model "$input" --data "$IN/base.csv" --out "$T/out.csv" ;;
    meval) set -- "$B/churnkit-eval" --model "$input" --data "$IN/base.csv" --quiet ;;
    otrain) set -- "$B/churnkit-train" --data "$IN/base.csv" --label y --out "$input" --quiet ;;
    opredict) set -- "$B/churnkit-predict" --model "$BASE" --data "$IN/base.csv" --out "$input" --quiet ;;
    ojson) set -- "$B/churnkit-eval" --model "$BASE" --data "$IN/base.csv" --json "$input" --quiet ;;
    features) set -- "$B/churnkit-features" --world "$input" --snapshot 2024-07-01 --out "$T/out.csv" --quiet ;;
    *) fail "unknown mode $mode" ;;
  esac
  if [ "$input" = "$T/limited/out" ]; then
    # a 512-byte file-size limit: the write fails with EFBIG, not a signal
    rm -rf "$T/limited"; mkdir -p "$T/limited"
    ( ulimit -f 1; "$@" ) > "$T/out" 2> "$T/err"; got=$?
    [ "$got" = "$code" ] || fail "$mode under ulimit -f exited $got, expected $code: $(cat "$T/err")"
    grep -qF -- "$frag" "$T/err" || fail "$mode under ulimit -f: stderr lacks '$frag': $(cat "$T/err")"
    ls "$T/limited" | grep -q . && fail "$mode under ulimit -f left a file: $(ls -a "$T/limited")"
  else
    expect "$code" "$frag" "$@"
  fi
  if [ "$code" != 0 ]; then
    [ ! -e "$T/out.csv" ] && [ ! -e "$T/out.json" ] || fail "$mode on $input failed but left an output"
  fi
  n=$((n + 1))
}

while IFS='|' read -r name runs code frag; do
  case $name in '#'*|'') continue ;; esac
  input=$(make_input "$name")
  for mode in $(echo "$runs" | tr ',' ' '); do
    run "$mode" "$input" "$code" "$frag"
  done
done < "$ROOT/tests/bad/cases"
echo "hostile inputs: $n runs" >&2
exit 0
