"""tools/bench-compare: exchange.workflows and DBOS Transact side by side, on
the same throwaway PostgreSQL (fsync on), in the same run (CPython 3).

    tools/bench-compare [--workflows 2000] [--queue-workflows 1000] [--samples 50]
                        [--scenarios e2e,tagevents,enqueue,scale,memory,micro,waiting | all]
                        [--db postgresql,mariadb,sqlite] [--sqlite]
                        [--enqueue-threads 8] [--enqueue-count 5000]
                        [--repeat 3] [--skip-dbos] [--json FILE]
                        [--markdown FILE|-] [--readme README.md] [--from-json FILE]

1. Starts PostgreSQL (fsync and synchronous_commit on) in a temp dir.
2. Measures the commit floor with pgbench: single-client INSERT commits
   (and 16 clients, for group commit), before and after the runs.
3. Creates a throwaway virtualenv and installs `dbos` from PyPI into it.
4. Runs `tools/bench` (our engine in the simulated gateway) and
   tools/benchlib/dbos_bench.py (DBOS) against their own databases on that
   server, --repeat times, interleaved (ours, DBOS, ours, DBOS, ...), and
   reports each figure's median with its min-max over the runs, so one
   noisy run can neither make nor break a claim.
5. With --db ...,mariadb: starts a durable throwaway MariaDB too
   (mariaserver.py: redo log flushed at every commit), measures its commit
   floor with mariadb-slap, runs our same scenarios on it (after the
   PostgreSQL ones, --repeat does not apply) and prints them beside
   PostgreSQL's, as ratios. --db ...,sqlite (or --sqlite) does the same on
   SQLite files. DBOS runs on PostgreSQL only.
6. Prints both, the ratios and the issue's targets; stops the servers by PID
   and removes the temp dirs. The last line is one JSON object. --markdown
   writes the table as Markdown; --readme puts it into README.md between the
   bench-compare markers; --from-json does both from an earlier --json
   result without measuring.

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


def _number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def aggregate(results):
    """One summary from repeated runs of one side: each numeric figure is
    the median of the runs, with its spread (min, max) in ``spread``; other
    values come from the first run. ``repeats`` counts the runs that
    produced a result. A noisy run moves the spread, not the claim."""
    results = [r for r in results if r]
    if not results:
        return None
    out = dict(results[0])
    spread = {}
    keys = set()
    for r in results:
        keys.update(k for k, v in r.items() if _number(v))
    for key in keys:
        vals = sorted(r[key] for r in results if _number(r.get(key)))
        if vals:
            out[key] = median(vals)
            spread[key] = [vals[0], vals[-1]]
    out["spread"] = spread
    out["repeats"] = len(results)
    return out


def median(values):
    """The median of a non-empty list of numbers (the mean of the middle two
    for an even count)."""
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2.0


def spread_of(summary, key):
    """(min, max) of ``key`` over the repeats, or None after one run."""
    if not summary or summary.get("repeats", 1) < 2:
        return None
    return (summary.get("spread") or {}).get(key)


def cell(summary, key, scale=1.0):
    """A figure as the tables show it: the median, and its min-max over the
    repeats when there were several."""
    v = _get(summary, key)
    if v is None:
        return None
    sp = spread_of(summary, key)
    if sp is None:
        return Shown(v * scale, None)
    return Shown(v * scale, (sp[0] * scale, sp[1] * scale))


class Shown(object):
    """A median with its spread, printed as ``median (min-max)``."""

    def __init__(self, value, spread):
        self.value, self.spread = value, spread

    def __str__(self):
        if self.spread is None or self.spread[0] == self.spread[1]:
            return fmt(self.value)
        return "%s (%s-%s)" % (fmt(self.value), fmt(self.spread[0]), fmt(self.spread[1]))


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return round(float(a) / float(b), 2)


def fmt(v, unit=""):
    if v is None:
        return "-"
    if isinstance(v, Shown):
        return str(v)
    if isinstance(v, bool):
        return "yes" if v else "NO"
    if isinstance(v, float):
        if abs(v) >= 100:
            v = "%.0f" % v
        else:
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
    p.add_argument("--repeat", type=int, default=3,
                   help="run each side's e2e (and our tagevents) this many times, interleaved "
                        "(ours, DBOS, ours, DBOS, ...); the tables show each figure's median "
                        "and min-max")
    p.add_argument("--scenarios", default="e2e",
                   help="comma list of e2e, tagevents, enqueue, scale, memory, micro, waiting; "
                        "or all (all but waiting)")
    p.add_argument("--waiting-runs", type=int, default=2000,
                   help="runs of the waiting scenario (8 workers)")
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
    p.add_argument("--markdown", metavar="FILE",
                   help="also write the comparison table as Markdown ('-': stdout)")
    p.add_argument("--readme", metavar="README",
                   help="replace the table between the bench-compare markers of this README "
                        "(README.md) with this run's")
    p.add_argument("--from-json", metavar="FILE",
                   help="measure nothing: print (and --markdown / --readme) the tables of an "
                        "earlier --json result")
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
        return ["e2e", "tagevents", "enqueue", "scale", "memory", "micro"]
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
    if "tagevents" in scenarios:
        other["tagevents"] = aggregate([ours(srv, "postgresql", ["tagevents"],
                                             "ours tagevents (3 threads; 1k, 10k/s, burst)", tmp)
                                        for _ in range(max(1, a.repeat))])
    if "waiting" in scenarios:
        other["waiting"] = ours(srv, "postgresql", ["waiting", "--runs", str(a.waiting_runs)],
                                "ours waiting (%d runs, 8 workers)" % a.waiting_runs, tmp,
                                timeout=3600)
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


def _v(x):
    return x.value if isinstance(x, Shown) else x


class Checks(object):
    """The comparison table: one row per measure, with its target and
    whether it was met. Figures are medians over the repeats, with their
    min-max; a target is judged on the median."""

    def __init__(self):
        self.rows = [("measure", "ours", "DBOS", "ours/DBOS", "target", "met")]
        self.met = {}

    def add(self, name, o, d, target, met, rat=None):
        if o is None and d is None:
            return  # not measured in this run
        self.rows.append((name, fmt(o), fmt(d), fmt(rat if rat is not None
                                                     else ratio(_v(o), _v(d))),
                          target, fmt(met) if met is not None else "-"))
        self.met[name] = met


def paired_ratios(runs):
    """Paired ratios: repeat i of ours against repeat i of DBOS (they ran back to back)."""
    pairs = [(o, d_) for o, d_ in zip(runs["direct"], runs["dbos"]) if o and d_]
    return [ratio(o.get("workflows_per_s"), d_.get("direct_workflows_per_s")) for o, d_ in pairs]


def _at_most(x, bound):
    return None if _v(x) is None or bound is None else _v(x) <= bound


def e2e_checks(c, a, floor_ms, best_of, paired):
    """The e2e rows, against issue 16's targets."""
    direct, dres = best_of["direct"], best_of["dbos"]
    ov, dov = cell(direct, "step_overhead_ms"), cell(dres, "step_overhead_ms")
    c.add("step overhead (ms)", ov, dov, "<= 1.5x floor (%.3f ms)" % (1.5 * floor_ms),
          _at_most(ov, 1.5 * floor_ms))
    c.add("step overhead / commit floor", cell(direct, "step_overhead_ms", 1.0 / floor_ms),
          cell(dres, "step_overhead_ms", 1.0 / floor_ms), "<= 1.5", None)
    dw, ddw = cell(direct, "workflows_per_s"), cell(dres, "direct_workflows_per_s")
    mid = median(paired) if paired else None
    c.add("direct start, %d-step wf/s" % a.steps, dw, ddw, ">= 1000/s and >= 10x DBOS",
          None if _v(dw) is None else _v(dw) >= 1000 and (mid is None or mid >= 10),
          rat=None if not paired else "%s (per repeat: %s)" % (
              fmt(mid), ", ".join(fmt(x) for x in paired)))
    qs, qm = cell(best_of["queued_start"], "workflows_per_s"), cell(best_of["queued_memory"],
                                                                    "workflows_per_s")
    dq = cell(dres, "queued_workflows_per_s")
    c.add("queued c10 via start(), wf/s", qs, dq, ">= 300", None if _v(qs) is None else _v(qs) >= 300)
    c.add("queued c10 via enqueueInMemory+timer, wf/s", qm, dq, ">= 300",
          None if _v(qm) is None else _v(qm) >= 300)
    if _v(qs) is not None and _v(qm) is not None:
        c.add("queued c10: start() / enqueueInMemory", round(_v(qs) / _v(qm), 2), None, ">= 1",
              _v(qs) >= _v(qm))
    c.add("start->RUNNING p50 (ms), worker free", cell(direct, "start_latency_p50_ms"),
          cell(dres, "start_latency_p50_ms"), "<= 50", _at_most(cell(direct,
                                                                  "start_latency_p50_ms"), 50))
    p99, dp99 = cell(direct, "start_latency_p99_ms"), cell(dres, "start_latency_p99_ms")
    c.add("start->RUNNING p99 (ms), worker free", p99, dp99, "<= DBOS", _at_most(p99, _v(dp99)))
    cpu_checks(c, best_of)


# (label, which e2e run, key, scale to us) for the CPU rows of issue 16 item 1.
CPU_ROWS = (
    ("gateway CPU per step, live threads (us), one run at a time", "direct",
     "thread_cpu_us_per_step"),
    ("gateway CPU per step, process (us), one run at a time", "direct", "process_cpu_us_per_step"),
    ("gateway CPU per direct wf, live threads / process (us)", "direct", None),
    ("gateway CPU per queued wf via start(), live threads / process (us)", "queued_start", None),
    ("gateway CPU per queued wf via enqueueInMemory, live threads / process (us)",
     "queued_memory", None),
)


def cpu_checks(c, best_of):
    for label, which, key in CPU_ROWS:
        run = best_of[which]
        if key:
            v = cell(run, key)
            c.add(label, v, None, "<= 150" if "thread" in key else "-",
                  _at_most(v, 150) if "thread" in key else None)
        elif run is not None and _get(run, "loaded_thread_cpu_us_per_workflow") is not None:
            c.add(label, "%s / %s" % (fmt(cell(run, "loaded_thread_cpu_us_per_workflow")),
                                      fmt(cell(run, "loaded_process_cpu_us_per_workflow"))),
                  None, "-", None)


def tag_checks(c, tags):
    """enqueueInMemory from the tag-event pool (issue 16 item 3)."""
    if tags is None:
        return
    for phase, target in (("10000", 100), ("1000", 100), ("burst", None)):
        p99 = cell(tags, "tag_%s_p99_us" % phase)
        if p99 is None:
            continue
        what = "%s events/s" % phase if phase != "burst" else "flat-out burst"
        c.add("enqueueInMemory p99 (us), 3 tag-event threads, %s" % what, p99, None,
              "<= %d" % target if target else "-", _at_most(p99, target) if target else None)
        c.add("  %s: p50 / p99.9 (us)" % what, "%s / %s" % (
            fmt(cell(tags, "tag_%s_p50_us" % phase)), fmt(cell(tags, "tag_%s_p999_us" % phase))),
            None, "-", None)
        c.add("  %s: CPU per call (us)" % what, cell(tags, "tag_%s_cpu_us_per_call" % phase), None,
              "-", None)


def other_checks(c, a, other):
    g = _get
    tag_checks(c, other.get("tagevents"))
    enq = other.get("enqueue")
    if enq is not None:
        c.add("enqueueInMemory p99 (us), %d threads burst" % a.enqueue_threads,
              g(enq, "enqueue_p99_us"), None, "<= 50 (issue 7)", g(enq, "enqueue_p99_us") <= 50)
        paced = other.get("enqueue_paced")
        if paced:
            c.add("enqueueInMemory p99 (us), %d threads x 250/s" % a.enqueue_threads,
                  g(paced, "enqueue_p99_us"), None, "<= 50 (issue 7)",
                  g(paced, "enqueue_p99_us") <= 50)
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
    waiting_checks(c, other.get("waiting"))


def waiting_checks(c, w):
    """N runs waiting at once on few workers (issue 12 item 5)."""
    if w is None:
        return
    c.add("%d runs waiting on %d workers: waiting at once / workers busy / JVM threads"
          % (w.get("runs"), w.get("workers")), "%s / %s / %s" % (
              w.get("waiting_at_once"), w.get("workers_active_while_waiting"),
              w.get("jvm_threads_while_waiting")), None, "all waiting, busy <= workers",
          w.get("waiting_at_once") == w.get("runs")
          and w.get("workers_active_while_waiting", 0) <= w.get("workers", 0))
    c.add("  waiting: heap while waiting (MB) / release to all ended (s)", "%s / %s" % (
        w.get("heap_mb_while_waiting"), w.get("release_to_all_finished_s")), None,
        "every run SUCCESS", w.get("all_success"))


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
        print("Our engine on %s%s, beside PostgreSQL (PostgreSQL: median of --repeat; %s: one run)"
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
            # The median of the pairs (ours and DBOS back to back), as the table shows it.
            "direct_ratio": median(paired) if paired else ratio(dw, ddw),
            "direct_ratio_per_repeat": paired,
            "ours_step_overhead_ms": g(direct, "step_overhead_ms"),
            "dbos_step_overhead_ms": g(dres, "step_overhead_ms"),
            "ours_queued_start_workflows_per_s": g(best_of["queued_start"], "workflows_per_s"),
            "ours_queued_memory_workflows_per_s": g(best_of["queued_memory"], "workflows_per_s"),
            "dbos_queued_workflows_per_s": g(dres, "queued_workflows_per_s"),
            "ours_start_latency_p50_ms": g(direct, "start_latency_p50_ms")}


def main(argv):
    a = parse(argv)
    if a.from_json:
        with open(a.from_json) as f:
            result = json.load(f)
        print(table(result["table"]))
        publish(a, result)
        return 0
    result = {"machine": machine(), "args": vars(a), "argv": list(argv),
              "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    floor0, floor1, runs, other = measure(a, result)
    best_of = dict((kind, aggregate(runs[kind])) for kind in
                   ("direct", "queued_start", "queued_memory", "dbos"))
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
    publish(a, result)
    line = summary_line(floor_ms, c.met, best_of, paired)
    for kind, (_rows, ratios) in sides.items():
        line["%s_vs_postgresql" % kind] = ratios
    print(json.dumps(line, sort_keys=True))
    return 0


README_START = "<!-- bench-compare:table"
README_END = "<!-- /bench-compare:table -->"


def _sharedNote(load, cpus):
    """Says the machine was busy with other work when the load average at
    the start exceeded its CPUs: then only the ratios mean something."""
    try:
        busy = float(load) > float(cpus)
    except (TypeError, ValueError):
        return ""
    return ": the machine was busy with other work, so read only the ratios" if busy else ""


def markdown(result):
    """The comparison table as Markdown, with the line that says how it
    was measured (between the README markers)."""
    m = result.get("machine") or {}
    floor = result.get("commit_floor") or {}
    args = result.get("args") or {}
    head = ("%s (generated by `tools/bench-compare --readme README.md`; do not edit by hand) -->"
            % README_START)
    how = ("`tools/bench-compare %s` on %s, engine commit `%s`%s: median of %s interleaved runs "
           "of each side, (min-max) over them. %s CPUs (%s), load average %s at the start%s. "
           "PostgreSQL %s, fsync on; commit floor %s / %s ms before / after." % (
               " ".join(result.get("argv") or []), result.get("measured_at", "?"),
               m.get("commit"), " + local changes" if m.get("scripts_modified") else "",
               args.get("repeat", 1), m.get("cpus"), m.get("cpu"),
               fmt(round(m.get("loadavg_at_start") or 0, 1)),
               _sharedNote(m.get("loadavg_at_start"), m.get("cpus")),
               (result.get("postgres") or {}).get("version"),
               fmt(_get(floor.get("before"), "commit_ms")),
               fmt(_get(floor.get("after"), "commit_ms"))))
    rows = result["table"]
    lines = [head, "", how, "", "| " + " | ".join(rows[0]) + " |",
             "| " + " | ".join("---" for _ in rows[0]) + " |"]
    for r in rows[1:]:
        lines.append("| " + " | ".join(str(x).replace("|", "/") for x in r) + " |")
    lines += ["", README_END]
    return "\n".join(lines) + "\n"


def replace_block(text, block):
    """``text`` with the part from README_START to README_END replaced by
    ``block``; ValueError when the markers are missing."""
    start = text.find(README_START)
    end = text.find(README_END, start + 1)
    if start < 0 or end < 0:
        raise ValueError("no %s ... %s markers" % (README_START, README_END))
    end += len(README_END)
    if text[end:end + 1] == "\n":
        end += 1
    return text[:start] + block + text[end:]


def publish(a, result):
    """--markdown and --readme."""
    if a.markdown:
        block = markdown(result)
        if a.markdown == "-":
            sys.stdout.write(block)
        else:
            with open(a.markdown, "w") as f:
                f.write(block)
    if a.readme:
        with open(a.readme) as f:
            text = f.read()
        with open(a.readme, "w") as f:
            f.write(replace_block(text, markdown(result)))
        log("%s: benchmark table replaced" % a.readme)


def _terminate(signum, frame):
    raise KeyboardInterrupt("signal %d" % signum)


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGTERM, _terminate)  # still stop the server (finally) on `timeout`
    sys.exit(main(sys.argv[1:]))
