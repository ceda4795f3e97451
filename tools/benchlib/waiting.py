"""The ``waiting`` scenario (issue 12 item 5; Jython, inside tools/gwsim):
N runs waiting at once on one gateway with few workers, then released.

The runs (bench.wait, in benchflows.py) wait four ways, in turn: HELD (a
tag wait sent HOLD), sleeping (sleep_chunked until the release time),
waiting for a memory tag (wait.until_tag_equals in the body) and waiting
for an operator (rt.ask). While they wait the scenario reports how many
actually wait at once (their bodies began), the threads in use (the worker
pool's active count and the JVM's thread count) and the heap after GC. At
the release time it writes the tag, sends RESUME to the held runs, answers
every prompt as it appears (the sleeps end by themselves), and reports the
time from the release until every run has ended, and their statuses.

It reports what it sees: with an engine whose waits hold their worker
thread, only as many runs as there are workers wait at once and the others
stay queued until the release; ``engine_releases_waits`` says whether the
engine gives threads back while runs wait (its ``released`` counter moved).
"""
import benchflows
import exchange.workflows.api.admin as admin
import exchange.workflows.api.service as svc
import system
from benchkit import (TERMINAL, handle, heap_used, log, mb, ok, r3, run_rows, set_workers, sql,
                      wait_until)
from exchange.workflows.engine import kernel
from java.lang import System, Thread
from java.lang.management import ManagementFactory

KINDS = ("held", "sleep", "tag", "prompt")
TAG_FOLDER = "[default]BenchWaiting"
TAG = TAG_FOLDER + "/Go"


def waiting(a):
    set_workers(a.workers)
    ok(admin.configureQueue("default", concurrency=None), "configureQueue")
    if a.release_after_ms is not None and "releaseAfterMs" in kernel.DEFAULTS:
        ok(admin.configureRuntime(releaseAfterMs=a.release_after_ms), "configureRuntime")
    system.tag.configure(TAG_FOLDER, [{"name": "Go", "dataType": "Int4", "value": 0}], "o")
    system.tag.writeBlocking([TAG], [0])
    benchflows.reset()
    before = {"threads": jvm_threads(), "heap": heap_used(), "released": released()}
    log("waiting: %d runs (%s) on %d workers, released after %.1f s", a.runs, "/".join(KINDS),
        a.workers, a.hold_s)
    t0 = System.currentTimeMillis()
    wids = start_runs(a, t0 + int(a.hold_s * 1000))
    seen = watch_until(t0 + int(a.hold_s * 1000), a.runs)
    held_view = measure_waiting(a, wids, before)
    release_ms = System.currentTimeMillis()
    log("waiting: %d runs waiting at once, %d workers busy, %d JVM threads; releasing",
        held_view["waiting_at_once"], held_view["workers_active"], held_view["jvm_threads"])
    finished_ms, answered = wait_finished(a, wids, release_all(wids))
    return report(a, wids, before, seen, held_view, release_ms, finished_ms, answered)


def start_runs(a, wake_at_ms):
    """Starts a.runs runs, the kinds in turn; HOLD goes to the held ones
    once all are started. Returns {kind: [workflowId, ...]}."""
    wids = dict((k, []) for k in KINDS)
    for i in range(a.runs):
        kind = KINDS[i % len(KINDS)]
        inputs = {"kind": kind, "tag": TAG, "wake_at_ms": wake_at_ms}
        wids[kind].append(ok(svc.start("bench.wait", inputs), "start")["workflowId"])
    refused = 0
    for wid in wids["held"]:
        refused += 0 if svc.sendCommand(wid, "HOLD", reason="tools/bench waiting")["ok"] else 1
    if refused:
        log("waiting: %d HOLD commands refused", refused)
    return wids


def jvm_threads():
    return ManagementFactory.getThreadMXBean().getThreadCount()


def released():
    """The engine's count of waits that gave their thread back (0 for an
    engine without such waits)."""
    counter = kernel.get()["stats"].get("released")
    return 0 if counter is None else counter.get()


def watch_until(until_ms, expected):
    """Samples the runs waiting, the busy workers and the JVM threads every
    250 ms until ``until_ms``; returns the peaks."""
    pool = kernel.pool()
    peak = {"waiting": 0, "workers_active": 0, "jvm_threads": 0}
    while System.currentTimeMillis() < until_ms:
        peak["waiting"] = max(peak["waiting"], benchflows.WAITING.size())
        peak["workers_active"] = max(peak["workers_active"], pool.getActiveCount())
        peak["jvm_threads"] = max(peak["jvm_threads"], jvm_threads())
        Thread.sleep(250)
    if peak["waiting"] < expected:
        log("waiting: only %d of %d runs began waiting before the release", peak["waiting"],
            expected)
    return peak


def statuses_of(wids):
    rows = run_rows([w for ids in wids.values() for w in ids])
    counts = {}
    for r in rows.values():
        counts[r[0]] = counts.get(r[0], 0) + 1
    return counts


def measure_waiting(a, wids, before):
    """What the waiting runs hold, just before the release."""
    pool = kernel.pool()
    waiting_now = benchflows.WAITING.size()
    by_kind = dict((k, 0) for k in KINDS)
    for kind in benchflows.WAITING.values():
        by_kind[kind] = by_kind.get(kind, 0) + 1
    view = {"waiting_at_once": waiting_now, "waiting_by_kind": by_kind,
            "workers_active": pool.getActiveCount(), "jvm_threads": jvm_threads(),
            "statuses_while_waiting": statuses_of(wids)}
    view["heap_mb"] = mb(heap_used())  # after the counts: the GCs take a moment
    view["released_waits"] = released() - before["released"]
    return view


def release_all(wids):
    """The tag to 1, RESUME to every held run; returns the prompts answered."""
    system.tag.writeBlocking([TAG], [1])
    for wid in wids["held"]:
        svc.sendCommand(wid, "RESUME", reason="tools/bench waiting")  # a finished one refuses
    return answer_prompts()


def answer_prompts():
    """Answers every pending prompt of bench.wait runs; returns how many."""
    answered = 0
    while True:
        page = ok(svc.listPrompts(workflowName="bench.wait", limit=1000), "listPrompts")["rows"]
        for p in page:
            if svc.respond(p["workflowId"], p["key"], "go", reason="tools/bench waiting")["ok"]:
                answered += 1
        if len(page) < 1000:
            return answered


def wait_finished(a, wids, answered):
    """Answers prompts as they appear until every run has ended (or
    a.timeout_s); returns the epoch ms when the last one was seen ended."""
    everyone = [w for ids in wids.values() for w in ids]
    state = {"answered": answered}

    def all_ended():
        state["answered"] += answer_prompts()
        rows = run_rows(everyone)
        return len(rows) == len(everyone) and all(r[0] in TERMINAL for r in rows.values())
    wait_until(all_ended, a.timeout_s, "every waiting run to end", 500000)
    rows = run_rows(everyone)
    return max(r[3] for r in rows.values() if r[3] is not None), state["answered"]


def report(a, wids, before, seen, view, release_ms, finished_ms, answered):
    statuses = statuses_of(wids)
    releases = "releaseAfterMs" in kernel.DEFAULTS and view["released_waits"] > 0
    summary = {
        "scenario": "waiting", "dialect": handle().dialect.name, "runs": a.runs,
        "workers": a.workers, "runs_per_kind": dict((k, len(v)) for k, v in wids.items()),
        "waiting_at_once": view["waiting_at_once"], "peak_waiting_at_once": seen["waiting"],
        "workers_active_while_waiting": view["workers_active"],
        "peak_workers_active": seen["workers_active"],
        "jvm_threads_while_waiting": view["jvm_threads"],
        "jvm_threads_before": before["threads"], "peak_jvm_threads": seen["jvm_threads"],
        "heap_mb_while_waiting": view["heap_mb"], "heap_mb_before": mb(before["heap"]),
        "released_waits": view["released_waits"], "engine_releases_waits": releases,
        "release_to_all_finished_s": r3(max(0, finished_ms - release_ms) / 1000.0),
        "prompts_answered": answered, "statuses": statuses,
        "all_success": statuses.get("SUCCESS", 0) == a.runs,
    }
    failed = failures(wids)
    if failed:
        log("waiting: %d runs did not end SUCCESS, e.g. %s", len(failed), failed[0])
    return summary, {"waiting_by_kind": view["waiting_by_kind"],
                     "statuses_while_waiting": view["statuses_while_waiting"],
                     "failed": failed[:20]}


def failures(wids):
    """The runs that did not end SUCCESS: id, kind, status, error (cut)."""
    kind_of = dict((w, k) for k, ids in wids.items() for w in ids)
    out = []
    everyone = list(kind_of)
    for i in range(0, len(everyone), 500):
        chunk = everyone[i:i + 500]
        for row in sql("SELECT workflow_id, status, error FROM {status} WHERE status <> 'SUCCESS' "
                       "AND workflow_id IN (" + ", ".join(["?"] * len(chunk)) + ")", chunk):
            out.append({"workflowId": row[0], "kind": kind_of.get(row[0]), "status": row[1],
                        "error": None if row[2] is None else ("%s" % row[2])[:300]})
    return out
