"""Shared helpers of the benchmark scenarios (Jython 2.7, inside tools/gwsim):
percentiles, polling, the benchmark database, heap and CPU readings.

CPU comes from three sources, each said in its key name (docs/benchmarks.md):
``gateway_cpu_*`` is the JVM process CPU (OperatingSystemMXBean, the same
as /proc/self/stat's utime+stime), ``thread_cpu_*`` the sum of
ThreadMXBean.getThreadCpuTime over the JVM's live threads, and ``db_*`` the
database server's processes read from /proc (--server-pid).
"""
from __future__ import print_function

import sys

import benchflows
import exchange.workflows.api.admin as admin
import system
from exchange.workflows.engine import burst, database, kernel
from java.lang import Runtime, System, Thread
from java.lang.management import ManagementFactory
from java.util.concurrent.locks import LockSupport

DB = "WorkflowsDB"
TERMINAL = ("SUCCESS", "ERROR", "CANCELLED", "STOPPED", "DEAD_LETTER", "MAX_RECOVERY_ATTEMPTS_EXCEEDED")

# -- small helpers ---------------------------------------------------------------------------

def log(msg, *args):
    sys.stderr.write("[bench] " + (msg % args if args else msg) + "\n")
    sys.stderr.flush()


def pct(values, p):
    """Nearest-rank percentile of a list of numbers (None if empty)."""
    if not values:
        return None
    s = sorted(values)
    k = int(round(p / 100.0 * len(s) + 0.5)) - 1
    return s[max(0, min(len(s) - 1, k))]


def median(values):
    return pct(values, 50)


def mean(values):
    return float(sum(values)) / len(values) if values else None


def r3(x):
    return None if x is None else round(float(x), 3)


def stats_ms(values_ms):
    return {"n": len(values_ms), "p50": r3(pct(values_ms, 50)), "p90": r3(pct(values_ms, 90)),
            "p99": r3(pct(values_ms, 99)), "max": r3(max(values_ms) if values_ms else None),
            "mean": r3(mean(values_ms))}


def ok(resp, what):
    if not resp.get("ok"):
        raise RuntimeError("%s failed: %s %s" % (what, resp.get("code"), resp.get("message")))
    return resp.get("data")


def park_us(us):
    LockSupport.parkNanos(int(us * 1000))


def handle():
    """The store handle of the benchmark database (engine/database.prepare)."""
    return database.prepare(DB)


def sql(query, args=()):
    return system.db.runPrepQuery(handle().sql(query), list(args), DB)


def update(query, args=()):
    return system.db.runPrepUpdate(handle().sql(query), list(args), DB)


def heap_used():
    """Heap in use after full collections (bytes)."""
    rt = Runtime.getRuntime()
    used = None
    for _ in range(4):
        System.gc()
        Thread.sleep(150)
        u = rt.totalMemory() - rt.freeMemory()
        used = u if used is None else min(used, u)
    return used


def rss_bytes():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (IOError, OSError):
        pass
    return None


def mb(b):
    return None if b is None else round(b / 1048576.0, 1)


SERVER_PID = []


def _ticks(path):
    """utime + stime (clock ticks) of /proc/PID/stat."""
    try:
        with open(path) as f:
            data = f.read()
    except (IOError, OSError):
        return None, None
    fields = data[data.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[11]) + int(fields[12])


def server_ticks():
    """CPU ticks of the database server (--server-pid and its children), or None."""
    if not SERVER_PID:
        return None
    import os
    root, total = SERVER_PID[0], 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        ppid, ticks = _ticks("/proc/%s/stat" % name)
        if ticks is not None and (int(name) == root or ppid == root):
            total += ticks
    return total


def machine_ticks():
    """(busy, total) clock ticks of all CPUs since boot."""
    try:
        with open("/proc/stat") as f:
            parts = [int(x) for x in f.readline().split()[1:]]
    except (IOError, OSError):
        return None
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    return sum(parts) - idle, sum(parts)


# Looked up once: the per-call CPU readings of tagevents must cost little themselves.
_THREAD_BEAN = ManagementFactory.getThreadMXBean()


def thread_cpu_ns(skip_current=False):
    """CPU time (ns) of the JVM's live threads: the sum of
    ThreadMXBean.getThreadCpuTime over getAllThreadIds. Threads that ended
    since the last reading are missing, and so is the JVM's own work outside
    Java threads (garbage collection): the process CPU beside it says how much."""
    bean = _THREAD_BEAN
    me = Thread.currentThread().getId() if skip_current else None
    total = 0
    for tid in bean.getAllThreadIds():
        if tid != me:
            ns = bean.getThreadCpuTime(tid)
            if ns > 0:  # -1: the thread ended between the two calls
                total += ns
    return total


def process_cpu_ns():
    """CPU time (ns) of the whole JVM process (com.sun.management's
    OperatingSystemMXBean.getProcessCpuTime: every thread, GC included)."""
    return ManagementFactory.getOperatingSystemMXBean().getProcessCpuTime()


def current_thread_cpu_ns():
    return _THREAD_BEAN.getCurrentThreadCpuTime()


def cpu_snapshot():
    return {"jvm_ns": process_cpu_ns(), "threads_ns": thread_cpu_ns(),
            "thread_ns": current_thread_cpu_ns(),
            "server": server_ticks(), "machine": machine_ticks(), "wall_ns": System.nanoTime()}


def cpu_report(before, after, per):
    """CPU per unit of work between two snapshots (ms), and machine utilisation."""
    hz = 100.0  # USER_HZ on Linux
    out = {"gateway_cpu_ms_per_unit": r3((after["jvm_ns"] - before["jvm_ns"]) / 1e6 / per),
           "thread_cpu_ms_per_unit": r3((after["threads_ns"] - before["threads_ns"]) / 1e6 / per),
           "caller_thread_cpu_ms_per_unit": r3((after["thread_ns"] - before["thread_ns"]) / 1e6 / per)}
    if before["server"] is not None and after["server"] is not None:
        out["db_server_cpu_ms_per_unit"] = r3((after["server"] - before["server"]) * 1000.0 / hz / per)
    if before["machine"] and after["machine"]:
        busy = after["machine"][0] - before["machine"][0]
        total = after["machine"][1] - before["machine"][1]
        out["machine_cpu_busy_pct"] = r3(100.0 * busy / total) if total else None
        if total and before["server"] is not None and after["server"] is not None:
            ours = (after["jvm_ns"] - before["jvm_ns"]) / 1e7 + after["server"] - before["server"]
            # CPU used by anything else on the machine while we measured: a
            # benchmark that shares its cores with other work reads low.
            out["other_cpu_pct"] = r3(max(0.0, 100.0 * (busy - ours) / total))
    return out


class RunCpu(object):
    """CPU (ns) of the gateway's other threads around one run at a time (the
    caller's own polling left out): ``with cpu.measure(k):`` adds the
    readings to the list of k."""

    def __init__(self):
        self.threads, self.process = {}, {}

    def measure(self, key):
        return _RunCpuWindow(self, key)


class _RunCpuWindow(object):

    def __init__(self, owner, key):
        self.owner, self.key = owner, key

    def __enter__(self):
        self.t0, self.p0, self.c0 = thread_cpu_ns(True), process_cpu_ns(), current_thread_cpu_ns()
        return self

    def __exit__(self, *exc):
        c1, p1, t1 = current_thread_cpu_ns(), process_cpu_ns(), thread_cpu_ns(True)
        own = c1 - self.c0
        self.owner.threads.setdefault(self.key, []).append(t1 - self.t0)
        self.owner.process.setdefault(self.key, []).append(p1 - self.p0 - own)
        return False


_STMT = {}


def stmt_reset():
    """Starts counting statements (PostgreSQL with pg_stat_statements preloaded)."""
    update("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    sql("SELECT pg_stat_statements_reset()")
    Thread.sleep(1200)  # backends publish their counters about once a second
    _STMT["commits"] = _commits()


def _commits():
    return int(sql("SELECT xact_commit + xact_rollback FROM pg_stat_database "
                   "WHERE datname = current_database()")[0][0])


def stmt_report(per):
    """Statements and commits per unit of work since stmt_reset()."""
    Thread.sleep(1200)
    ds = sql("SELECT query, calls, total_exec_time, rows FROM pg_stat_statements s "
             "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database() "
             "AND query NOT LIKE '%pg_stat%' ORDER BY calls DESC")
    top, calls = [], 0
    for row in ds:
        calls += int(row[1])
        if len(top) < 30:
            top.append({"query": row[0][:160], "per_unit": r3(float(row[1]) / per),
                        "mean_ms": r3(float(row[2]) / max(1, int(row[1]))), "calls": int(row[1])})
    commits = _commits() - _STMT["commits"] - 2  # minus the two stats reads
    return {"statements_per_unit": r3(calls / float(per)), "commits_per_unit": r3(commits / float(per)),
            "top": top}


def running_count():
    return kernel.get()["running"].size()


def set_workers(n):
    """Sets the worker pool size through admin.configureRuntime (1 to 2,000
    workers; the memory scenario's 1,000 sleeping runs need 1,000)."""
    ok(admin.configureRuntime(maxWorkers=n), "configureRuntime")


class Draining(object):
    """``with Draining():`` no gateway claims while the body runs (maintenance
    "drain"); flushes and direct claims still work. The dispatcher serves every
    queue with waiting rows, so this keeps rows queued by a measurement from
    being executed under it."""

    def __enter__(self):
        ok(admin.setMaintenance("drain", reason="tools/bench measurement", user="bench"),
           "setMaintenance")
        return self

    def __exit__(self, *exc):
        ok(admin.setMaintenance(None, user="bench"), "setMaintenance")
        return False


def machine():
    rt = Runtime.getRuntime()
    return {"cpus": rt.availableProcessors(), "maxHeapMb": mb(rt.maxMemory()),
            "java": System.getProperty("java.version"), "os": System.getProperty("os.name")
            + " " + System.getProperty("os.version")}


def run_rows(wids):
    """{wid: (status, createdMs, startedMs, finishedMs)} read from the database."""
    out = {}
    wids = list(wids)
    for i in range(0, len(wids), 500):
        chunk = wids[i:i + 500]
        ds = sql("SELECT workflow_id, status, created_ms, started_ms, finished_ms FROM {status} "
                 "WHERE workflow_id IN (" + ", ".join(["?"] * len(chunk)) + ")", chunk)
        for row in ds:
            out[row[0]] = (row[1], row[2], row[3], row[4])
    return out


def wait_until(pred, timeout_s, what, every_us=200):
    deadline = System.nanoTime() + int(timeout_s * 1e9)
    while not pred():
        if System.nanoTime() > deadline:
            raise RuntimeError("timed out after %ss waiting for %s" % (timeout_s, what))
        park_us(every_us)


def wait_one(wid, timeout_s=30):
    """Waits until run ``wid`` has returned from its body and its final write
    is done (it left this gateway's running set); returns nanoTime then."""
    running = kernel.get()["running"]
    # Coarse polling while the run works (a busy poller would steal CPU from it
    # on a small machine), fine polling for its last write only.
    wait_until(lambda: benchflows.EXIT.containsKey(wid), timeout_s, "run %s to finish" % wid, 500)
    wait_until(lambda: not running.containsKey(wid), timeout_s, "run %s to be written" % wid, 50)
    return System.nanoTime()


def wait_all(expected_done, timeout_s):
    wait_until(lambda: benchflows.DONE.get() >= expected_done, timeout_s,
               "%d runs to finish (%d so far)" % (expected_done, benchflows.DONE.get()), 2000)
    wait_until(lambda: running_count() == 0, timeout_s, "the running set to drain", 500)


def discard_in_memory():
    """Drops every request queued in memory without storing it (they were
    only there to be weighed or timed), as the flush removes settled ones:
    the queue's count and bytes go back to zero. Returns how many."""
    lock = kernel.get()["flushLock"]
    lock.lock()
    try:
        dropped = 0
        while burst.depth() > 0:
            _db, batch = burst._head(kernel.burstQueue(), 100000)
            if not batch:
                break
            burst._drop(kernel.burstQueue(), batch)
            dropped += len(batch)
        return dropped
    finally:
        lock.unlock()
