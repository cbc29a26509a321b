"""Shared benchmark machinery: timed runs of whole processes, and the
sections of bench/RESULTS.md.

Every figure is a whole-process measurement: wall time from start to exit and
the peak resident set size the kernel reports for the child (ru_maxrss), the
median of several runs.  Peers and churnkit run interleaved (A B A B ...) so
that drift in the machine's speed hits both alike.
"""
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "RESULTS.md")
WORK = os.environ.get("CK_BENCH_DIR", os.path.join(ROOT, "build", "bench"))
PY = "/usr/bin/python3"  # Debian's interpreter, which has Debian's pandas
# The floor reference (and bench/ck_read, churnkit's loader in a bare
# program) run with the transparent huge pages churnkit's programs ask
# glibc's malloc for (src/cli/common.h, ck_cli_hugepages), so that the
# floor's multiple measures the code, not the page faults.  The peers run
# as installed.
FLOOR_ENV = ["env", "GLIBC_TUNABLES=glibc.malloc.hugetlb=1"]


def run_once(cmd, stdout=None):
    """Runs cmd; returns (wall seconds, peak RSS in MiB, exit status)."""
    r = run_measured(cmd, stdout)
    return r["wall"], r["rss"], 0


def compare(commands, runs=5):
    """commands: {name: argv}.  Runs each `runs` times, interleaved; returns
    {name: (median wall, median peak MiB)}."""
    walls = {k: [] for k in commands}
    rss = {k: [] for k in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            w, m, _ = run_once(cmd)
            walls[name].append(w)
            rss[name].append(m)
    return {k: (statistics.median(walls[k]), statistics.median(rss[k])) for k in commands}


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def machine_block():
    cpu = sh("lscpu | sed -n 's/^Model name: *//p' | head -1") or platform.processor()
    mem = sh("free -g | awk '/^Mem:/ {print $2}'")
    lines = [
        "Machine: %s, %s cores, %s GiB, %s" % (cpu, os.cpu_count(), mem, platform.platform()),
        "Versions: churnkit %s; %s; pandas %s; scikit-learn %s; libcsv %s; GSL %s" % (
            sh("sed -n 's/.*CK_VERSION \"\\(.*\\)\"/\\1/p' %s/include/churnkit/version.h" % ROOT) or "?",
            sh("cc --version | head -1"),
            sh(PY + " -c 'import pandas; print(pandas.__version__)'") or "-",
            sh(PY + " -c 'import sklearn; print(sklearn.__version__)'") or "-",
            sh("dpkg-query -W -f='${Version}' libcsv-dev") or "?",
            sh("dpkg-query -W -f='${Version}' libgsl-dev") or "?"),
    ]
    return "\n".join(lines)


def write_section(name, body):
    """Replaces the section `name` of RESULTS.md (between its markers), and
    the machine block, keeping every other section as it was."""
    text = open(RESULTS).read() if os.path.exists(RESULTS) else (
        "# Benchmark results\n\nWritten by `make bench` (bench/run.sh); do not edit by hand.\n\n"
        "<!-- machine -->\n<!-- /machine -->\n")
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    text = replace_block(text, "machine", machine_block())
    text = replace_block(text, "bench:" + name, "_Measured %s._\n\n%s" % (stamp, body.strip()))
    with open(RESULTS + ".tmp", "w") as f:
        f.write(text)
    os.replace(RESULTS + ".tmp", RESULTS)


def replace_block(text, tag, body):
    start, end = "<!-- %s -->" % tag, "<!-- /%s -->" % tag
    block = "%s\n%s\n%s" % (start, body, end)
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if pattern.search(text):
        return pattern.sub(lambda _: block, text)
    return text.rstrip("\n") + "\n\n" + block + "\n"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def need(path):
    if not os.path.exists(path):
        sys.exit("bench: %s is missing; run `make bench`" % path)


# ---------------------------------------------------------------- a busy machine

def busy_jiffies():
    """(busy, total) jiffies of all processors so far, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v[:8]) - idle, sum(v[:8])


def others_running():
    """Other benchmark scripts running now (their pids and names)."""
    out = sh("pgrep -af 'python[0-9.]* .*bench_[a-z_]+'")
    mine = {os.getpid(), os.getppid()}
    return [l for l in out.splitlines() if l and int(l.split()[0]) not in mine]


def wait_for_others(poll=30, limit=2400):
    """Waits until no other bench/bench_*.py runs (they time things too and
    write RESULTS.md), polling every `poll` s for at most `limit` s.
    Returns (seconds waited, what was still running at the end)."""
    t0 = time.time()
    while True:
        others = others_running()
        if not others or time.time() - t0 >= limit:
            return time.time() - t0, others
        print("waiting for: %s" % "; ".join(others), flush=True)
        time.sleep(poll)


def run_measured(cmd, stdout=None):
    """Runs cmd as harness.run_once does; returns a dict of wall, peak RSS
    (MiB), the child's processor seconds and the other processes' share of
    the processors during the run."""
    hz = os.sysconf("SC_CLK_TCK")
    ncpu = os.cpu_count()
    b0, _ = busy_jiffies()
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE)
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    b1, _ = busy_jiffies()
    proc.stderr.close()
    if stdout:
        out.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), code, err.strip()))
    cpu = usage.ru_utime + usage.ru_stime
    others = max(0.0, (b1 - b0) / hz - cpu) / (wall * ncpu)
    return {"wall": wall, "rss": usage.ru_maxrss / 1024.0, "cpu": cpu, "others": others}
