"""tools/bench-compare: exchange.workflows and DBOS Transact side by side, on
the same throwaway PostgreSQL (fsync on), in the same run (CPython 3).

    tools/bench-compare [--workflows 2000] [--queue-workflows 1000] [--samples 50]
                        [--scenarios e2e,enqueue,scale,memory | all]
                        [--db postgresql,mariadb,sqlite] [--sqlite]
                        [--enqueue-threads 8] [--enqueue-count 5000]
                        [--repeat 1] [--skip-dbos] [--json FILE]

1. Starts PostgreSQL (fsync and synchronous_commit on) in a temp dir.
2. Measures the commit floor with pgbench: single-client INSERT commits
   (and 16 clients, for group commit), before and after the runs.
3. Creates a throwaway virtualenv and installs `dbos` from PyPI into it.
4. Runs `tools/bench` (our engine in the simulated gateway) and
   tools/benchlib/dbos_bench.py (DBOS) against their own databases on that
   server, --repeat times, alternating, and keeps the best figure of each.
5. With --db ...,mariadb: starts a durable throwaway MariaDB too
   (mariaserver.py: redo log flushed at every commit), measures its commit
   floor with mariadb-slap, runs our same scenarios on it (after the
   PostgreSQL ones, --repeat does not apply) and prints them beside
   PostgreSQL's, as ratios. --db ...,sqlite (or --sqlite) does the same on
   SQLite files. DBOS runs on PostgreSQL only.
6. Prints both, the ratios and the issue's targets; stops the servers by PID
   and removes the temp dirs. The last line is one JSON object.

Ratios, not absolute times, are the claim: the machine's fsync speed moves
every absolute figure (see docs/benchmarks.md).
"""
import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import mariaserver  # noqa: E402
import pgserver  # noqa: E402

BENCH = os.path.join(ROOT, "tools", "bench")
DBOS_BENCH = os.path.join(HERE, "dbos_bench.py")
# What a site would put in its SQLite Connect URL (one copy, shared with the tests).
with open(os.path.join(ROOT, "tools", "sqlite-url-settings")) as _f:
    SQLITE_SETTINGS = _f.read().strip()


def log(msg):
    sys.stderr.write("[bench-compare] %s\n" % msg)
    sys.stderr.flush()


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                pass
    return None


def run(argv, timeout, what):
    log("%s: %s" % (what, " ".join(argv)))
    t0 = time.time()
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout, check=False, cwd=ROOT)
    out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    result = last_json(out)
    if p.returncode != 0 or result is None:
        log("%s FAILED (exit %s) after %.0f s\n%s\n%s" % (what, p.returncode, time.time() - t0,
                                                       err[-3000:], out[-2000:]))
        return None
    log("%s: done in %.0f s" % (what, time.time() - t0))
    return result


def machine():
    info = {"cpus": os.cpu_count(), "kernel": platform.release(), "python": platform.python_version()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            info["mem_gb"] = round(int(f.readline().split()[1]) / 1048576.0, 1)
    except OSError:
        pass
    try:
        j = subprocess.run(["java", "-version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           check=False).stdout.decode()
        info["java"] = j.splitlines()[0] if j else None
    except OSError:
        info["java"] = None
    try:
        with open("/etc/debian_version") as f:
            info["debian"] = f.read().strip()
    except OSError:
        pass
    info["loadavg_at_start"] = os.getloadavg()[0]
    try:  # which engine was measured: the commit, and whether scripts/ had local changes
        info["commit"] = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        check=False).stdout.decode().strip() or None
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "scripts"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               check=False).stdout.decode().strip()
        info["scripts_modified"] = bool(dirty)
    except OSError:
        info["commit"] = None
    return info


def commit_floor(srv, seconds=5):
    """Single-client and 16-client INSERT commit rates with pgbench (fsync on)."""
    db = "commit_floor_%d" % int(time.time() * 1000 % 1e9)
    srv.create_database(db)
    srv.psql("CREATE TABLE floor (id BIGSERIAL PRIMARY KEY, v INTEGER)", db)
    script = os.path.join(tempfile.gettempdir(), "wf-bench-floor-%d.sql" % os.getpid())
    with open(script, "w") as f:
        f.write("INSERT INTO floor (v) VALUES (1);\n")
    out = {}
    try:
        for clients in (1, 16):
            p = subprocess.run([srv.bin("pgbench"), "-n", "-h", srv.host, "-p", str(srv.port),
                                "-U", srv.user, "-f", script, "-M", "prepared", "-c", str(clients),
                                "-j", str(min(clients, 2)), "-T", str(seconds), db],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120,
                               check=False)
            text = p.stdout.decode("utf-8", "replace")
            m = re.search(r"tps = ([0-9.]+)", text)
            lat = re.search(r"latency average = ([0-9.]+) ms", text)
            if not m:
                raise RuntimeError("pgbench failed:\n" + text)
            out["c%d" % clients] = {"commits_per_s": round(float(m.group(1)), 1),
                                    "latency_ms": float(lat.group(1)) if lat else None}
    finally:
        os.unlink(script)
    out["commit_ms"] = round(1000.0 / out["c1"]["commits_per_s"], 3)
    return out


def make_venv(base):
    venv = os.path.join(base, "dbos-venv")
    log("creating a virtualenv with dbos from PyPI in %s" % venv)
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=300)
    py = os.path.join(venv, "bin", "python")
    p = subprocess.run([py, "-m", "pip", "install", "-q", "dbos"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=900, check=False)
    if p.returncode != 0:
        raise RuntimeError("pip install dbos failed:\n" + p.stdout.decode("utf-8", "replace")[-3000:])
    return py


class Counter(object):
    n = 0

    @classmethod
    def next(cls, prefix):
        cls.n += 1
        return "%s_%d" % (prefix, cls.n)


def ours(srv, dbkind, args_list, what, tmp, timeout=900):
    """Runs tools/bench on a fresh database of ``srv`` (the PostgreSQL or
    MariaDB server; unused for SQLite); returns its summary JSON."""
    if dbkind in SERVER_DBS:
        url = srv.jdbc_url(srv.create_database(Counter.next("wf")))
        extra = ["--server-pid", str(srv.pid)]
    else:
        url = "jdbc:sqlite:%s?%s" % (os.path.join(tmp, Counter.next("wf") + ".db"), SQLITE_SETTINGS)
        extra = []
    jpath = os.path.join(tmp, Counter.next("result") + ".json")
    res = run([BENCH, "--db", url] + args_list + extra + ["--json", jpath], timeout, what)
    return res


def dbos(srv, py, a, tmp, timeout=900):
    db = srv.create_database(Counter.next("dbos"))
    jpath = os.path.join(tmp, Counter.next("dbos") + ".json")
    return run([py, DBOS_BENCH, "--db-url", srv.sqlalchemy_url(db), "--workflows", str(a.workflows),
                "--queue-workflows", str(a.dbos_queue_workflows), "--steps", str(a.steps),
                "--samples", str(a.samples), "--overhead-steps", str(a.overhead_steps),
                "--concurrency", "10", "--json", jpath], timeout, "DBOS")


def best(results, key, higher=True):
    vals = [r[key] for r in results if r and r.get(key) is not None]
    if not vals:
        return None
    return max(vals) if higher else min(vals)


def pick(results, rules):
    """One summary from repeated runs: the best value of each rule's key.
    Runs during which other processes used more than 10% of the machine's CPU
    are left out when an undisturbed run exists."""
    results = [r for r in results if r]
    if not results:
        return None
    quiet = [r for r in results if (r.get("other_cpu_pct") or 0) <= 10]
    results = quiet or results
    out = dict(results[0])
    for key, higher in rules:
        v = best(results, key, higher)
        if v is not None:
            out[key] = v
    out["repeats"] = len(results)
    return out


E2E_RULES = [("workflows_per_s", True), ("step_overhead_ms", False),
             ("start_latency_p50_ms", False), ("start_latency_p99_ms", False)]
DBOS_RULES = [("direct_workflows_per_s", True), ("queued_workflows_per_s", True),
              ("step_overhead_ms", False), ("start_latency_p50_ms", False)]


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return round(float(a) / float(b), 2)


def fmt(v, unit=""):
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "NO"
    if isinstance(v, float):
        v = ("%.3f" % v).rstrip("0").rstrip(".") if abs(v) < 10 else "%.1f" % v
    return "%s%s" % (v, unit)


def table(rows):
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, r in enumerate(rows):
        lines.append(" | ".join(str(c).ljust(widths[i]) for i, c in enumerate(r)))
        if n == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def parse(argv):
    p = argparse.ArgumentParser(prog="tools/bench-compare", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workflows", type=int, default=2000, help="direct-start throughput runs")
    p.add_argument("--queue-workflows", type=int, default=1000,
                   help="our queued (concurrency 10) throughput runs")
    p.add_argument("--dbos-queue-workflows", type=int, default=200,
                   help="DBOS queued runs (it does ~10/s: keep it small)")
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--overhead-steps", type=int, default=10)
    p.add_argument("--samples", type=int, default=50)
    p.add_argument("--repeat", type=int, default=1,
                   help="run each e2e/DBOS measurement this many times, alternating; keep the best")
    p.add_argument("--scenarios", default="e2e",
                   help="comma list of e2e, enqueue, scale, memory, micro; or all")
    p.add_argument("--history-rows", default="1000,1000000")
    p.add_argument("--db", default="postgresql",
                   help="comma list of the databases our engine runs on: postgresql (always, "
                        "beside DBOS), mariadb, sqlite")
    p.add_argument("--sqlite", action="store_true", help="the same as adding sqlite to --db")
    p.add_argument("--enqueue-threads", type=int, default=8,
                   help="producer threads of the enqueue scenario")
    p.add_argument("--enqueue-count", type=int, default=5000,
                   help="enqueueInMemory calls per thread in the (burst) enqueue scenario")
    p.add_argument("--skip-dbos", action="store_true")
    p.add_argument("--json", help="write everything to this file")
    a = p.parse_args(argv)
    try:
        a.dbs = engine_dbs(a.db, a.sqlite)
    except ValueError as e:
        p.error(str(e))
    return a


# The databases our side runs on, in the order they run. PostgreSQL hosts
# DBOS and is the reference of every ratio, so it is always there.
SERVER_DBS = ("postgresql", "mariadb")
ENGINE_DBS = SERVER_DBS + ("sqlite",)


def engine_dbs(text, sqlite=False):
    """--db's comma list (plus --sqlite) -> the databases in run order;
    ValueError for an unknown name."""
    names = [x.strip().lower() for x in text.split(",") if x.strip()]
    bad = [x for x in names if x not in ENGINE_DBS]
    if bad:
        raise ValueError("--db: unknown database %s (known: %s)" % (", ".join(bad),
                                                                   ", ".join(ENGINE_DBS)))
    wanted = set(names) | {"postgresql"} | ({"sqlite"} if sqlite else set())
    return [x for x in ENGINE_DBS if x in wanted]


def scenario_list(a):
    if a.scenarios == "all":
        return ["e2e", "enqueue", "scale", "memory", "micro"]
    return [s.strip() for s in a.scenarios.split(",") if s.strip()]


def e2e_common(a):
    return ["--steps", str(a.steps), "--samples", str(a.samples),
            "--overhead-steps", str(a.overhead_steps)]


def e2e_runs(srv, py, a, scenarios, tmp):
    """Ours (direct, queued via start, queued via enqueueInMemory) and DBOS,
    --repeat times, alternating: {kind: [summary, ...]}."""
    common = e2e_common(a)
    runs = {"direct": [], "queued_start": [], "queued_memory": [], "dbos": []}
    for _ in range(a.repeat if "e2e" in scenarios or py else 0):
        if "e2e" in scenarios:
            runs["direct"].append(ours(srv, "postgresql", [
                "e2e", "--workflows", str(a.workflows)] + common, "ours e2e direct", tmp))
            runs["queued_start"].append(ours(srv, "postgresql", [
                "e2e", "--workflows", str(a.queue_workflows), "--concurrency", "10"]
                + common, "ours e2e queued (start, concurrency 10)", tmp))
            runs["queued_memory"].append(ours(srv, "postgresql", [
                "e2e", "--workflows", str(a.queue_workflows), "--concurrency", "10",
                "--mode", "memory"] + common,
                "ours e2e queued (enqueueInMemory, concurrency 10)", tmp))
        if py:
            runs["dbos"].append(dbos(srv, py, a, tmp))
    return runs


def enqueue_args(a):
    return ["enqueue", "--threads", str(a.enqueue_threads), "--count", str(a.enqueue_count)]


def other_runs(srv, a, scenarios, tmp):
    """Our other scenarios on PostgreSQL."""
    other = {}
    if "enqueue" in scenarios:
        other["enqueue"] = ours(srv, "postgresql", enqueue_args(a),
                               "ours enqueue (%d threads, burst)" % a.enqueue_threads, tmp)
        other["enqueue_paced"] = ours(srv, "postgresql", [
            "enqueue", "--threads", str(a.enqueue_threads), "--count", "2000", "--rate", "250",
            "--timer-window", "0"], "ours enqueue (%d threads x 250/s)" % a.enqueue_threads, tmp)
    if "scale" in scenarios:
        other["scale"] = ours(srv, "postgresql", ["scale", "--history-rows", a.history_rows],
                             "ours scale", tmp)
    if "memory" in scenarios:
        other["memory"] = ours(srv, "postgresql", ["memory"], "ours memory", tmp)
    if "micro" in scenarios:
        other["micro"] = ours(srv, "postgresql", ["micro"], "ours micro", tmp)
    return other


def side_runs(srv, kind, a, scenarios, tmp):
    """Our scenarios on another database (``kind``: mariadb on the server
    ``srv``, or sqlite), once each, for the comparison with PostgreSQL."""
    common = e2e_common(a)
    sq = {}
    if "e2e" in scenarios:
        sq["direct"] = ours(srv, kind, ["e2e", "--workflows", str(a.workflows)]
                            + common, "ours e2e direct [%s]" % kind, tmp)
        sq["queued_start"] = ours(srv, kind, [
            "e2e", "--workflows", str(a.queue_workflows), "--concurrency", "10"]
            + common, "ours e2e queued start [%s]" % kind, tmp)
        sq["queued_memory"] = ours(srv, kind, [
            "e2e", "--workflows", str(a.queue_workflows), "--concurrency", "10",
            "--mode", "memory"] + common, "ours e2e queued memory [%s]" % kind, tmp)
    if "enqueue" in scenarios:
        sq["enqueue"] = ours(srv, kind, enqueue_args(a), "ours enqueue [%s]" % kind, tmp)
    if "scale" in scenarios:
        sq["scale"] = ours(srv, kind, ["scale", "--history-rows", a.history_rows],
                           "ours scale [%s]" % kind, tmp)
    if "memory" in scenarios:
        sq["memory"] = ours(srv, kind, ["memory"], "ours memory [%s]" % kind, tmp)
    return sq


def measure(a, result):
    """Starts the server, measures the commit floor around every run, stops
    the server. Fills ``result``; returns (floor0, floor1, runs, other)."""
    scenarios = scenario_list(a)
    tmp = tempfile.mkdtemp(prefix="wf-bench-compare-")
    srv = pgserver.Server()
    try:
        srv.start()
        result["postgres"] = {"version": srv.version, "settings": srv.settings, "pid": srv.pid}
        log("PostgreSQL %s on port %d (pid %d), fsync on" % (srv.version, srv.port, srv.pid))
        floor0 = commit_floor(srv)
        log("commit floor: %.3f ms (%s commits/s single client; %s/s with 16)" % (
            floor0["commit_ms"], floor0["c1"]["commits_per_s"], floor0["c16"]["commits_per_s"]))
        py = None
        if not a.skip_dbos:
            try:
                py = make_venv(tmp)
            except (RuntimeError, subprocess.SubprocessError, OSError) as e:
                log("DBOS unavailable: %s" % e)
                result["dbos_error"] = str(e)
        runs = e2e_runs(srv, py, a, scenarios, tmp)
        result["runs"] = runs
        other = other_runs(srv, a, scenarios, tmp)
        floor1 = commit_floor(srv)
        log("commit floor after: %.3f ms" % floor1["commit_ms"])
        if "mariadb" in a.dbs:
            other["mariadb"] = mariadb_runs(a, scenarios, tmp, result)
        if "sqlite" in a.dbs:
            other["sqlite"] = side_runs(srv, "sqlite", a, scenarios, tmp)
    finally:
        srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return floor0, floor1, runs, other


def mariadb_runs(a, scenarios, tmp, result):
    """Starts the durable MariaDB, measures its commit floor around our
    scenarios on it, stops it; returns {kind: summary}. The PostgreSQL server
    stays up (idle) meanwhile."""
    msrv = mariaserver.Server()
    try:
        msrv.start()
        log("MariaDB %s on port %d (pid %d), innodb_flush_log_at_trx_commit=1" % (
            msrv.version, msrv.port, msrv.pid))
        floor0 = mariaserver.commit_floor(msrv)
        log("MariaDB commit floor: %.3f ms (%s commits/s single client; %s/s with 16)" % (
            floor0["commit_ms"], floor0["c1"]["commits_per_s"], floor0["c16"]["commits_per_s"]))
        runs = side_runs(msrv, "mariadb", a, scenarios, tmp)
        floor1 = mariaserver.commit_floor(msrv)
        log("MariaDB commit floor after: %.3f ms" % floor1["commit_ms"])
        result["mariadb"] = {"version": msrv.version, "settings": msrv.settings, "pid": msrv.pid,
                             "commit_floor": {"before": floor0, "after": floor1,
                                              "commit_ms": min(floor0["commit_ms"],
                                                               floor1["commit_ms"])}}
        return runs
    finally:
        msrv.stop()


def _get(d, k):
    return (d or {}).get(k)


class Checks(object):
    """The comparison table: one row per measure, with its target and
    whether it was met."""

    def __init__(self):
        self.rows = [("measure", "ours", "DBOS", "ours/DBOS", "target", "met")]
        self.met = {}

    def add(self, name, o, d, target, met, rat=None):
        if o is None and d is None:
            return  # not measured in this run
        self.rows.append((name, fmt(o), fmt(d), fmt(rat if rat is not None else ratio(o, d)),
                          target, fmt(met) if met is not None else "-"))
        self.met[name] = met


def paired_ratios(runs):
    """Paired ratios: repeat i of ours against repeat i of DBOS (they ran back to back)."""
    pairs = [(o, d_) for o, d_ in zip(runs["direct"], runs["dbos"]) if o and d_]
    pairs = [p_ for p_ in pairs if (p_[0].get("other_cpu_pct") or 0) <= 10] or pairs
    return [ratio(o.get("workflows_per_s"), d_.get("direct_workflows_per_s")) for o, d_ in pairs]


def e2e_checks(c, a, floor_ms, best_of, paired):
    g = _get
    direct, qstart, qmem, dres = (best_of["direct"], best_of["queued_start"],
                                  best_of["queued_memory"], best_of["dbos"])
    ov = g(direct, "step_overhead_ms")
    c.add("step overhead (ms)", ov, g(dres, "step_overhead_ms"),
          "<= 3x floor (%.3f ms) [abs 0.5]" % (3 * floor_ms),
          None if ov is None else ov <= 3 * floor_ms)
    c.add("step overhead / commit floor", None if ov is None else round(ov / floor_ms, 2),
          None if g(dres, "step_overhead_ms") is None
          else round(g(dres, "step_overhead_ms") / floor_ms, 2),
          "<= 3 (DBOS ~10)", None if ov is None else ov / floor_ms <= 3.0)
    dw, ddw = g(direct, "workflows_per_s"), g(dres, "direct_workflows_per_s")
    c.add("direct start, %d-step wf/s" % a.steps, dw, ddw, ">= 3x DBOS",
          None if not paired else min(paired) >= 3.0,
          rat=None if not paired else "%s (per repeat: %s)" % (
              fmt(ratio(dw, ddw)), ", ".join(fmt(x) for x in paired)))
    for label, q in (("queued c10 via start(), wf/s", qstart),
                     ("queued c10 via enqueueInMemory+timer, wf/s", qmem)):
        qw = g(q, "workflows_per_s")
        c.add(label, qw, g(dres, "queued_workflows_per_s"), ">= 300",
              None if qw is None else qw >= 300)
    sl = g(direct, "start_latency_p50_ms")
    c.add("start->RUNNING p50 (ms), worker free", sl, g(dres, "start_latency_p50_ms"), "<= 50",
          None if sl is None else sl <= 50)
    c.add("start->RUNNING p99 (ms), worker free", g(direct, "start_latency_p99_ms"),
          g(dres, "start_latency_p99_ms"), "-", None)


def other_checks(c, a, other):
    g = _get
    enq = other.get("enqueue")
    if enq is not None:
        c.add("enqueueInMemory p99 (us), %d threads burst" % a.enqueue_threads,
              g(enq, "enqueue_p99_us"), None, "<= 50", g(enq, "enqueue_p99_us") <= 50)
        paced = other.get("enqueue_paced")
        if paced:
            c.add("enqueueInMemory p99 (us), %d threads x 250/s" % a.enqueue_threads,
                  g(paced, "enqueue_p99_us"), None, "<= 50", g(paced, "enqueue_p99_us") <= 50)
        c.add("flush (rows/s)", g(enq, "flush_rows_per_s"), None, ">= 20000",
              g(enq, "flush_rows_per_s") >= 20000)
        c.add("flush by the shipped timer alone (rows/s)", g(enq, "timer_flush_rows_per_s"), None,
              "-", None)
    sc = other.get("scale")
    if sc is not None:
        c.add("claim time 1M / 1k rows", g(sc, "claim_ratio"), None, "<= 1.5",
              g(sc, "claim_ratio") <= 1.5)
        c.add("dispatch time 1M / 1k rows", g(sc, "dispatch_ratio"), None, "<= 1.5",
              g(sc, "dispatch_ratio") <= 1.5)
    mem = other.get("memory")
    if mem is not None:
        c.add("heap: 50k queued + 1k running (MB)", "%s / %s" % (g(mem, "heap_queued_mb"),
                                                               g(mem, "heap_running_mb")),
              None, "fits a 1 GB heap", (g(mem, "heap_running_mb") or 0) < 512)


# The rows of the other-database tables: (label, which PostgreSQL result, key).
SIDE_ROWS = (
    ("step overhead (ms)", "direct", "step_overhead_ms"),
    ("direct start, wf/s", "direct", "workflows_per_s"),
    ("queued c10 via start(), wf/s", "queued_start", "workflows_per_s"),
    ("queued c10 via enqueueInMemory+timer, wf/s", "queued_memory", "workflows_per_s"),
    ("start->RUNNING p50 (ms), worker free", "direct", "start_latency_p50_ms"),
    ("start->RUNNING p99 (ms), worker free", "direct", "start_latency_p99_ms"),
    ("gateway CPU per direct wf (ms)", "direct", "gateway_cpu_ms_per_workflow"),
    ("database CPU per direct wf (ms)", "direct", "db_cpu_ms_per_workflow"),
    ("enqueueInMemory p50 (us), burst", "enqueue", "enqueue_p50_us"),
    ("enqueueInMemory p99 (us), burst", "enqueue", "enqueue_p99_us"),
    ("flush (rows/s)", "enqueue", "flush_rows_per_s"),
    ("flush by the shipped timer alone (rows/s)", "enqueue", "timer_flush_rows_per_s"),
    ("claim time 1M / 1k rows", "scale", "claim_ratio"),
    ("dispatch time 1M / 1k rows", "scale", "dispatch_ratio"),
)


def side_table(kind, pg, side, pg_floor_ms=None, side_floor_ms=None):
    """Our figures on ``kind`` beside PostgreSQL's, as rows (header first)
    and {label: ratio kind/PostgreSQL}. ``pg`` and ``side`` map a result
    name (direct, queued_start, enqueue, ...) to its summary."""
    rows = [("measure", "PostgreSQL", kind, "%s/PostgreSQL" % kind)]
    ratios = {}

    def add(label, p_, o):
        if p_ is None and o is None:
            return  # not measured in this run
        rows.append((label, fmt(p_), fmt(o), fmt(ratio(o, p_))))
        ratios[label] = ratio(o, p_)

    add("commit floor (ms, 1 client)", pg_floor_ms, side_floor_ms)
    for label, which, key in SIDE_ROWS:
        add(label, _get(pg.get(which), key), _get(side.get(which), key))
    return rows, ratios


def side_tables(a, best_of, other, floor_ms, result):
    """{kind: (rows, ratios)} for each other database our side ran on."""
    pg = dict(best_of, enqueue=other.get("enqueue"), scale=other.get("scale"))
    out = {}
    for kind in a.dbs:
        if kind != "postgresql" and other.get(kind) is not None:
            side_floor = _get(_get(result.get(kind), "commit_floor"), "commit_ms")
            out[kind] = side_table(kind, pg, other[kind], floor_ms if side_floor else None,
                                   side_floor)
    return out


def print_report(result, floor0, floor1, dres, rows):
    m = result["machine"]
    print("\nMachine: %s, %s CPUs, %s GB; %s; PostgreSQL %s (fsync on)" % (
        m.get("cpu"), m.get("cpus"), m.get("mem_gb"), m.get("java"),
        result["postgres"]["version"]))
    print("Engine: commit %s%s" % (m.get("commit"), " + local changes in scripts/"
                                   if m.get("scripts_modified") else ""))
    print("Commit floor (pgbench, 1 client): %.3f ms before, %.3f ms after; 16 clients: %s commits/s"
          % (floor0["commit_ms"], floor1["commit_ms"], floor0["c16"]["commits_per_s"]))
    if dres:
        print("DBOS Transact %s" % dres.get("dbos_version"))
    print()
    print(table(rows))
    print()
    for kind, (srows, _ratios) in sorted(result.get("side_tables", {}).items()):
        info = result.get(kind) or {}
        print("Our engine on %s%s, beside PostgreSQL (PostgreSQL: best of --repeat; %s: one run)"
              % (kind, " %s (%s)" % (info["version"], "innodb_flush_log_at_trx_commit=1")
                 if info.get("version") else "", kind))
        print(table(srows))
        print()


def summary_line(floor_ms, checks, best_of, paired):
    g = _get
    direct, dres = best_of["direct"], best_of["dbos"]
    dw, ddw = g(direct, "workflows_per_s"), g(dres, "direct_workflows_per_s")
    return {"commit_floor_ms": floor_ms, "checks": checks,
            "ours_direct_workflows_per_s": dw,
            "dbos_direct_workflows_per_s": ddw,
            "direct_ratio": ratio(dw, ddw), "direct_ratio_per_repeat": paired,
            "ours_step_overhead_ms": g(direct, "step_overhead_ms"),
            "dbos_step_overhead_ms": g(dres, "step_overhead_ms"),
            "ours_queued_start_workflows_per_s": g(best_of["queued_start"], "workflows_per_s"),
            "ours_queued_memory_workflows_per_s": g(best_of["queued_memory"], "workflows_per_s"),
            "dbos_queued_workflows_per_s": g(dres, "queued_workflows_per_s"),
            "ours_start_latency_p50_ms": g(direct, "start_latency_p50_ms")}


def main(argv):
    a = parse(argv)
    result = {"machine": machine(), "args": vars(a)}
    floor0, floor1, runs, other = measure(a, result)
    best_of = {"direct": pick(runs["direct"], E2E_RULES),
               "queued_start": pick(runs["queued_start"], E2E_RULES),
               "queued_memory": pick(runs["queued_memory"], E2E_RULES),
               "dbos": pick(runs["dbos"], DBOS_RULES)}
    floor_ms = min(floor0["commit_ms"], floor1["commit_ms"])
    result.update({"commit_floor": {"before": floor0, "after": floor1, "commit_ms": floor_ms},
                   "ours": {"direct": best_of["direct"], "queued_start": best_of["queued_start"],
                            "queued_memory": best_of["queued_memory"]},
                   "dbos": best_of["dbos"], "other": other})

    paired = paired_ratios(runs)
    result["direct_ratio_per_repeat"] = paired
    c = Checks()
    e2e_checks(c, a, floor_ms, best_of, paired)
    other_checks(c, a, other)
    result["table"] = c.rows
    result["checks"] = c.met
    sides = side_tables(a, best_of, other, floor_ms, result)
    result["side_tables"] = sides

    print_report(result, floor0, floor1, best_of["dbos"], c.rows)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=2, sort_keys=True, default=str)
    line = summary_line(floor_ms, c.met, best_of, paired)
    for kind, (_rows, ratios) in sides.items():
        line["%s_vs_postgresql" % kind] = ratios
    print(json.dumps(line, sort_keys=True))
    return 0


def _terminate(signum, frame):
    raise KeyboardInterrupt("signal %d" % signum)


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGTERM, _terminate)  # still stop the server (finally) on `timeout`
    sys.exit(main(sys.argv[1:]))
