"""Where churnkit-train's time goes (issue 22's phase breakdown), now and, when
CK_BENCH_BEFORE names the root of another build of churnkit (a clone at an
older commit, built with `make all bench-progs`), before, in the same run.

The phases are measured as whole processes, interleaved, median of 5, on the
training benchmark's file (1,000,000 x 20, logistic, --l2 1, 2 threads):
  reading       bench/ck_read: the file parsed into the typed table, nothing
                else (the same loader churnkit-train uses);
  training      churnkit-train --no-train-metrics: reading, the pipeline's
                statistics, the aliasing check and the Newton fit, the model
                written and read back;
  metrics       churnkit-train minus the above: scoring the training rows and
                the training metrics (AUC by a radix sort, calibration);
and the floor (bench/floor.c: parse, and parse + fit) beside them.  The
part of training after reading is training minus reading.
"""
import os

import harness as h

DATA_ROWS = 1_000_000


def commands(root, data, tag):
    tr = os.path.join(root, "bin", "churnkit-train")
    base = [tr, "--data", data, "--label", "y", "--name", "m", "--out",
            os.path.join(h.WORK, "phases_%s.json" % tag), "--quiet", "--l2", "1", "--threads", "2"]
    return {
        # ck_read is churnkit's reader in a bare program: the huge pages
        # the programs ask for (harness.FLOOR_ENV) given by hand
        tag + ": reading (ck_read)": h.FLOOR_ENV + [os.path.join(root, "build", "bench", "ck_read"),
                                                   data],
        tag + ": churnkit-train --no-train-metrics": base + ["--no-train-metrics"],
        tag + ": churnkit-train": base,
    }


def main():
    data = os.path.join(h.WORK, "train_logistic_%d_1.csv" % DATA_ROWS)
    h.need(data)
    floor = os.path.join(h.WORK, "floor")
    cmds = commands(h.ROOT, data, "now")
    before = os.environ.get("CK_BENCH_BEFORE")
    if before:
        cmds.update(commands(os.path.abspath(before), data, "before"))
    cmds["floor: parse"] = h.FLOOR_ENV + [floor, "parse", data, "2"]
    cmds["floor: parse + fit"] = h.FLOOR_ENV + [floor, "fit", data, "2", "1"]
    res = h.compare(cmds, runs=5)
    rows = [[name, "%.2f s" % res[name][0], "%.0f MiB" % res[name][1]] for name in cmds]

    def phases(tag):
        read = res[tag + ": reading (ck_read)"][0]
        fit = res[tag + ": churnkit-train --no-train-metrics"][0]
        full = res[tag + ": churnkit-train"][0]
        return [tag, "%.2f s" % read, "%.2f s" % (fit - read), "%.2f s" % (full - fit),
                "%.2f s" % full, "%.2fx" % (full / res["floor: parse + fit"][0])]

    summary = [phases("now")] + ([phases("before")] if before else [])
    body = "\n".join([
        "### Where churnkit-train's time goes (issue 22), 1,000,000 x 20, logistic, 2 threads",
        "",
        "`bench/bench_phases.py`; whole processes, median of 5, interleaved%s." % (
            " with the build of commit %s (CK_BENCH_BEFORE: \"before\")" % h.sh(
                "git -C %s log -1 --format=%%h" % before) if before else ""),
        "",
        h.table(["command", "wall (median)", "peak RSS"], rows),
        "",
        h.table(["build", "reading", "statistics, aliasing check, fit, model file",
                 "training rows scored, metrics", "whole", "the floor's multiple"], summary),
        "",
        "Reading is bench/ck_read (the table loader alone); the middle column is "
        "`--no-train-metrics` minus reading; the metrics column is the whole run minus "
        "`--no-train-metrics`.",
    ])
    h.write_section("phases", body)
    print(body)


if __name__ == "__main__":
    main()
