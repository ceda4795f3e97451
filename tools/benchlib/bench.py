"""exchange.workflows benchmarks (Jython 2.7, run inside tools/gwsim by tools/bench).

The command line (scenarios and their options) is in benchargs.py; see
docs/benchmarks.md for what each scenario measures.
"""
from __future__ import print_function

import json
import sys
import time

import benchflows
from benchargs import parse
import exchange.workflows.api.admin as admin
import exchange.workflows.api.service as svc
import system
from exchange.workflows.engine import burst, kernel
from exchange.workflows.store import claims as store_claims
from exchange.workflows.store import runs as store_runs
from java.lang import Runtime, System, Thread
from java.lang.management import ManagementFactory
from java.util.concurrent import CountDownLatch
from java.util.concurrent.atomic import AtomicLong

from tagevents import Producer, drain_direct, tagevents
from waiting import waiting
from benchkit import (DB, Draining, RunCpu, discard_in_memory, cpu_report, cpu_snapshot, handle, heap_used, log, mb, mean,
                      median, ok, park_us, pct, r3, rss_bytes, run_rows, running_count, set_workers,
                      sql, stats_ms, stmt_report, stmt_reset, update, wait_all, wait_one,
                      wait_until, machine, SERVER_PID)

# -- e2e ---------------------------------------------------------------------------------------

def one_run(k):
    """One uncontended run of bench.k: returns (wid, startNs, entryNs, exitNs, doneNs)."""
    t0 = System.nanoTime()
    wid = ok(svc.start("bench.k", {"k": k}), "start")["workflowId"]
    done = wait_one(wid)
    return wid, t0, benchflows.ENTRY.get(wid), benchflows.EXIT.get(wid), done


def e2e(a):
    ok(admin.configureQueue("default", concurrency=a.concurrency), "configureQueue")
    workers = a.workers or max(8, a.concurrency or 0)
    set_workers(workers)
    k_over = a.overhead_steps if a.overhead_steps is not None else max(a.steps, 10)
    log("e2e: %d workflows x %d steps, mode %s, concurrency %s, %d workers (warm-up %d)",
        a.workflows, a.steps, a.mode, a.concurrency, workers, a.warmup)
    e2e_warm_up(a, k_over)
    unc = e2e_uncontended(a, k_over)
    thr = e2e_throughput(a)
    return e2e_report(a, workers, k_over, unc, thr)


def e2e_warm_up(a, k_over):
    """The JIT and the connection pool: a.warmup queued runs, then a few
    uncontended ones of each size."""
    benchflows.reset()
    for _i in range(a.warmup):
        ok(svc.start("bench.k", {"k": a.steps}), "start")
    wait_all(a.warmup, 120)
    for _i in range(min(a.warmup, 20)):
        one_run(k_over)
        one_run(0)


def e2e_uncontended(a, k_over):
    """Phase 1: one run at a time, 0-step and K-step interleaved. Returns the
    latencies (ms) by step count, the body times, the start latencies, the run
    ids and their rows."""
    log("e2e: uncontended latency, %d pairs of 0-step / %d-step runs", a.samples, k_over)
    lat = {0: [], k_over: []}
    body = {0: [], k_over: []}
    startup = []
    wids = []
    cpu = RunCpu()
    for _i in range(a.samples):
        for k in (0, k_over):
            with cpu.measure(k):
                wid, t0, entry, exit_, done = one_run(k)
            lat[k].append((done - t0) / 1e6)
            body[k].append((exit_ - entry) / 1e6)
            startup.append((entry - t0) / 1e6)
            wids.append(wid)
    return {"lat": lat, "body": body, "startup": startup, "wids": wids, "rows": run_rows(wids),
            "cpu": cpu}


def e2e_submit(a, inputs):
    """Submits a.workflows runs as fast as one thread can; returns their ids."""
    twids = []
    if a.mode == "start":
        for _i in range(a.workflows):
            twids.append(ok(svc.start("bench.k", inputs), "start")["workflowId"])
    else:
        for _i in range(a.workflows):
            twids.append(ok(svc.enqueueInMemory("bench.k", inputs), "enqueueInMemory")["workflowId"])
    return twids


def e2e_throughput(a):
    """Phase 2: a.workflows runs submitted at once; waits until every one
    has finished. Returns the ids, their rows, the times and CPU figures."""
    log("e2e: throughput, %d runs of %d steps via %s", a.workflows, a.steps, a.mode)
    benchflows.reset()
    if a.statements:
        stmt_reset()
    cpu0 = cpu_snapshot()
    t0ms = System.currentTimeMillis()
    t0 = System.nanoTime()
    twids = e2e_submit(a, {"k": a.steps})
    submitted = (System.nanoTime() - t0) / 1e9
    cpu_submit = cpu_snapshot()
    wait_all(a.workflows, max(120, a.workflows / 5.0))

    # DONE also counts runs left queued by an earlier scenario: wait for ours.
    # One read per check: with two, the first could find no rows yet (still
    # in memory: all() of nothing is True) and the second all of them.
    def all_finished():
        rows = run_rows(twids)
        return len(rows) == len(twids) and all(r[3] is not None for r in rows.values())
    wait_until(all_finished, max(120, a.workflows / 5.0), "this phase's runs to finish", 20000)
    wall = (System.nanoTime() - t0) / 1e9
    cpu1 = cpu_snapshot()
    statements = stmt_report(a.workflows) if a.statements else None
    cpu = cpu_report(cpu0, cpu1, a.workflows)
    submit_cpu = cpu_report(cpu0, cpu_submit, a.workflows)["caller_thread_cpu_ms_per_unit"]
    return {"twids": twids, "t0": t0, "t0ms": t0ms, "submitted": submitted, "wall": wall,
            "statements": statements, "cpu": cpu, "submit_cpu": submit_cpu,
            "rows": run_rows(twids)}


def e2e_report(a, workers, k_over, unc, thr):
    """The summary (one JSON line) and the details of both phases."""
    lat, body, startup, wids, rows = (unc["lat"], unc["body"], unc["startup"], unc["wids"],
                                      unc["rows"])
    startup_db = [r[2] - r[1] for r in rows.values() if r[2] is not None]
    bad = [w for w in wids if rows.get(w, ("?",))[0] != "SUCCESS"]
    overhead = (median(lat[k_over]) - median(lat[0])) / k_over
    overhead_body = (median(body[k_over]) - median(body[0])) / k_over

    twids, trows, t0, cpu, statements = (thr["twids"], thr["rows"], thr["t0"], thr["cpu"],
                                         thr["statements"])
    statuses = {}
    for r in trows.values():
        statuses[r[0]] = statuses.get(r[0], 0) + 1
    tbad = [w for w in twids if trows.get(w, ("?",))[0] != "SUCCESS"]
    last_finish = max(r[3] for r in trows.values() if r[3] is not None)
    elapsed = (last_finish - thr["t0ms"]) / 1000.0
    loaded_startup = [r[2] - r[1] for r in trows.values() if r[2] is not None]
    loaded_entry = [(benchflows.ENTRY.get(w) - t0) / 1e6 for w in twids
                    if benchflows.ENTRY.get(w) is not None]

    summary = {
        "scenario": "e2e", "dialect": handle().dialect.name, "mode": a.mode,
        "path": e2e_path(a),
        "workflows": a.workflows, "steps": a.steps, "concurrency": a.concurrency,
        "workers": workers,
        "workflows_per_s": r3(a.workflows / elapsed),
        "throughput_elapsed_s": r3(elapsed),
        "submit_per_s": r3(a.workflows / thr["submitted"]),
        "step_overhead_ms": r3(overhead),
        "step_overhead_in_body_ms": r3(overhead_body),
        "overhead_steps": k_over,
        "workflow_0_step_latency_ms": r3(median(lat[0])),
        "workflow_k_step_latency_ms": r3(median(lat[k_over])),
        "start_latency_p50_ms": r3(pct(startup, 50)),
        "start_latency_p99_ms": r3(pct(startup, 99)),
        "start_latency_db_p50_ms": r3(pct(startup_db, 50)),
        "starts_over_500ms": len([x for x in startup if x > 500]),
        "loaded_start_latency_p50_ms": r3(pct(loaded_startup, 50)),
        "loaded_start_latency_p99_ms": r3(pct(loaded_startup, 99)),
        "gateway_cpu_ms_per_workflow": cpu["gateway_cpu_ms_per_unit"],
        "db_cpu_ms_per_workflow": cpu.get("db_server_cpu_ms_per_unit"),
        "submit_call_cpu_ms": thr["submit_cpu"],
        "machine_cpu_busy_pct": cpu.get("machine_cpu_busy_pct"),
        "other_cpu_pct": cpu.get("other_cpu_pct"),
        "succeeded": statuses.get("SUCCESS", 0) + len(wids) - len(bad),
        "failed": len(tbad) + len(bad),
        "all_success": not tbad and not bad,
    }
    detail = {
        "uncontended": {"latency0_ms": stats_ms(lat[0]), "latencyK_ms": stats_ms(lat[k_over]),
                        "body0_ms": stats_ms(body[0]), "bodyK_ms": stats_ms(body[k_over]),
                        "start_to_body_ms": stats_ms(startup), "start_to_running_db_ms":
                        stats_ms(startup_db),
                        # Starts that waited for a timer tick instead of the local wake-up.
                        "starts_over_500ms": len([x for x in startup if x > 500])},
        "throughput": {"statuses": statuses, "wall_s": r3(thr["wall"]),
                       "submit_s": r3(thr["submitted"]),
                       "start_to_running_db_ms": stats_ms(loaded_startup),
                       "submit_to_body_ms": stats_ms(loaded_entry)},
        "failed_ids": (bad + tbad)[:20],
    }
    summary.update(e2e_cpu_figures(a, k_over, unc["cpu"], cpu))
    if statements:
        detail["statements"] = statements
        summary["db_statements_per_workflow"] = statements["statements_per_unit"]
        summary["db_commits_per_workflow"] = statements["commits_per_unit"]
    return summary, detail


def e2e_path(a):
    """Which start path the throughput phase measures."""
    if a.mode == "memory":
        return "enqueueInMemory"
    return "queued start()" if a.concurrency else "direct start()"


def e2e_cpu_figures(a, k_over, run_cpu, cpu):
    """Gateway CPU per workflow and per step (us), two ways:

    - uncontended, one run at a time, other threads than the caller's
      polling: a 0-step run's CPU, and the CPU each extra step adds
      ((K0-step runs - 0-step runs) / K0), from the live threads' CPU and
      from the process CPU;
    - the throughput phase: all the gateway's CPU (the submitting thread's
      start() calls included) over its workflows and over its steps."""
    def per_run(samples, k):
        values = samples.get(k) or []
        return sum(values) / 1e3 / len(values) if values else None

    out = {}
    for prefix, samples in (("thread", run_cpu.threads), ("process", run_cpu.process)):
        zero, many = per_run(samples, 0), per_run(samples, k_over)
        out["%s_cpu_us_per_0_step_workflow" % prefix] = r3(zero)
        out["%s_cpu_us_per_step" % prefix] = r3((many - zero) / k_over) if k_over and zero is not None \
            and many is not None else None
    steps = a.workflows * max(1, a.steps)
    for prefix, key in (("thread", "thread_cpu_ms_per_unit"), ("process", "gateway_cpu_ms_per_unit")):
        per_wf = cpu.get(key)
        out["loaded_%s_cpu_us_per_workflow" % prefix] = r3(per_wf * 1e3) if per_wf is not None else None
        out["loaded_%s_cpu_us_per_step" % prefix] = r3(per_wf * 1e3 * a.workflows / steps) \
            if per_wf is not None else None
    return out


# -- enqueue -----------------------------------------------------------------------------------

def enqueue(a):
    with Draining():  # the flushed rows stay ENQUEUED: only enqueue and flush are measured
        return _enqueue(a)


def _enqueue(a):
    q = "bench.burst"
    log("enqueue: warm-up")
    warm = a.warmup
    for _i in range(warm):
        ok(svc.enqueueInMemory("bench.k", {"k": 0}, queueName=q), "enqueueInMemory")
    drain_direct(a.flush_batch)

    log("enqueue: %d threads x %d requests", a.threads, a.count)
    latch = CountDownLatch(1)
    rejected = AtomicLong(0)
    producers = [Producer(a.count, latch, q, rejected, a.rate) for _ in range(a.threads)]
    threads = [p.thread("bench-producer-%d" % i) for i, p in enumerate(producers)]
    for t in threads:
        t.start()
    depth0 = burst.depth()
    t0 = System.nanoTime()
    latch.countDown()
    for t in threads:
        t.join()
    produce_s = (System.nanoTime() - t0) / 1e9
    total = a.threads * a.count
    lat_us = []
    for p in producers:
        lat_us.extend([v / 1000.0 for v in p.lat])
    depth1 = burst.depth()
    log("enqueue: %d accepted in %.2f s, depth %d; timer window %.1f s", total - rejected.get(),
        produce_s, depth1, a.timer_window)

    # What the shipped timer (dispatch every 1 s, flush budget 25 ms) drains on its own.
    timer_rate = None
    if a.timer_window > 0:
        d0, w0 = burst.depth(), System.nanoTime()
        Thread.sleep(int(a.timer_window * 1000))
        timer_rate = (d0 - burst.depth()) / ((System.nanoTime() - w0) / 1e9)

    left = burst.depth()
    flushed, flush_s = drain_direct(a.flush_batch)
    rows = sql("SELECT COUNT(*) FROM {status} WHERE queue_name = ?", [q])[0][0]
    expected = warm + total - rejected.get()
    summary = {
        "scenario": "enqueue", "dialect": handle().dialect.name, "threads": a.threads,
        "rate_per_thread": a.rate or None,
        "count_per_thread": a.count, "requests": total, "rejected": rejected.get(),
        "enqueue_p50_us": r3(pct(lat_us, 50)), "enqueue_p99_us": r3(pct(lat_us, 99)),
        "enqueue_max_us": r3(max(lat_us)), "enqueue_mean_us": r3(mean(lat_us)),
        "enqueue_calls_per_s": r3(total / produce_s),
        "flush_rows_per_s": r3(flushed / flush_s) if flush_s > 0 else None,
        "flush_batch": a.flush_batch, "flushed_rows": flushed,
        "timer_flush_rows_per_s": r3(timer_rate),
        "rows_in_db": int(rows), "rows_expected": int(expected),
        "all_flushed": int(rows) == int(expected) and burst.depth() == 0,
    }
    detail = {"latency_us": {"p50": r3(pct(lat_us, 50)), "p90": r3(pct(lat_us, 90)),
                             "p99": r3(pct(lat_us, 99)), "p999": r3(pct(lat_us, 99.9)),
                             "max": r3(max(lat_us))},
              "depth_before": depth0, "depth_after_produce": depth1, "left_for_direct_flush": left,
              "flush_s": r3(flush_s), "produce_s": r3(produce_s)}
    return summary, detail


# -- scale -------------------------------------------------------------------------------------

_HIST_PG = ("INSERT INTO {status} (workflow_id, workflow_name, status, queue_name, priority, inputs, "
            "output, executor_id, claim_epoch, created_ms, updated_ms, started_ms, finished_ms) "
            "SELECT lpad(to_hex(g), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(g), 12, '0'), "
            "'bench.k', 'SUCCESS', 'default', 0, '{{\"k\":3}}', '3', 'history/bench', 1, "
            "?::bigint + g, ?::bigint + g, ?::bigint + g + 1, ?::bigint + g + 5 "
            "FROM generate_series(?::bigint, ?::bigint) AS g")
_HIST_SQLITE = ("WITH RECURSIVE s(g) AS (SELECT ? UNION ALL SELECT g + 1 FROM s WHERE g < ?) "
                "INSERT INTO {status} (workflow_id, workflow_name, status, queue_name, priority, "
                "inputs, output, executor_id, claim_epoch, created_ms, updated_ms, started_ms, "
                "finished_ms) SELECT printf('%08x-0000-7000-8000-%012x', g, g), 'bench.k', "
                "'SUCCESS', 'default', 0, '{{\"k\":3}}', '3', 'history/bench', 1, ? + g, ? + g, "
                "? + g + 1, ? + g + 5 FROM s")
# MariaDB's SEQUENCE engine gives the numbers (seq_1_to_N is a virtual table);
# the bounds stay bound parameters.
_HIST_MARIADB = ("INSERT INTO {status} (workflow_id, workflow_name, status, queue_name, priority, "
                 "inputs, output, executor_id, claim_epoch, created_ms, updated_ms, started_ms, "
                 "finished_ms) SELECT CONCAT(LPAD(LOWER(HEX(g)), 8, '0'), '-0000-7000-8000-', "
                 "LPAD(LOWER(HEX(g)), 12, '0')), 'bench.k', 'SUCCESS', 'default', 0, "
                 "'{{\"k\":3}}', '3', 'history/bench', 1, ? + g, ? + g, ? + g + 1, ? + g + 5 "
                 "FROM (SELECT ? + seq - 1 AS g FROM seq_1_to_100000 WHERE seq <= ?) AS s")


def add_history(first, last, base_ms):
    """Inserts finished runs numbered first..last, 100,000 per statement."""
    d = handle()
    g = first
    while g <= last:
        hi = min(last, g + 99999)
        if d.dialect.name == "postgresql":
            update(_HIST_PG, [base_ms, base_ms, base_ms, base_ms, g, hi])
        elif d.dialect.name == "mariadb":
            update(_HIST_MARIADB, [base_ms, base_ms, base_ms, base_ms, g, hi - g + 1])
        else:
            update(_HIST_SQLITE, [g, hi, base_ms, base_ms, base_ms, base_ms])
        g = hi + 1


def timed_claims(batch, repeats, names):
    """Claims ``batch`` ENQUEUED rows of queue bench.scale with the engine's claim
    transaction, puts them back, ``repeats`` times; returns ms per claim."""
    d = handle()
    me = "bench-scale/probe"
    out = []
    for _i in range(repeats):
        t0 = System.nanoTime()
        rows, _more = store_claims.claim(d, "bench.scale", me, names, None, batch,
                                  System.currentTimeMillis())
        out.append((System.nanoTime() - t0) / 1e6)
        if len(rows) != batch:
            raise RuntimeError("claimed %d rows, expected %d" % (len(rows), batch))
        ids = [r.workflowId for r in rows]
        update("UPDATE {status} SET status = 'ENQUEUED', executor_id = NULL WHERE workflow_id IN ("
               + ", ".join(["?"] * len(ids)) + ")", ids)
    return out


def timed_dispatch(repeats):
    """Full dispatch() cycles of queue default with nothing to claim: ms each."""
    out = []
    for _i in range(repeats):
        while True:
            t0 = System.nanoTime()
            r = svc.dispatch()
            t1 = System.nanoTime()
            if r["code"] != "DISPATCH_SKIPPED":
                break
            park_us(1000)
        ok(r, "dispatch")
        out.append((t1 - t0) / 1e6)
    return out


def timed(fn, repeats):
    out = []
    for _i in range(repeats):
        t0 = System.nanoTime()
        fn()
        out.append((System.nanoTime() - t0) / 1e6)
    return out


def scale(a):
    levels = sorted(int(x) for x in a.history_rows.split(","))
    d = handle()
    # The probe rows: workflow name not registered here, queue no timer serves.
    probe = "bench.scale.probe"
    now = System.currentTimeMillis()
    rows = []
    for i in range(a.batch * 4):
        rows.append(("%08x-ffff-7000-8000-%012x" % (i, i), probe, "ENQUEUED", "bench.scale", None,
                     0, None, None, "{}", None, "bench", now + i, now + i))
    store_runs.insert(d, rows)
    base_ms = now - 30 * 86400000
    log("scale: warm-up")
    timed_claims(a.batch, 150, [probe])
    timed_dispatch(30)
    have = 0
    results = []
    for level in levels:
        if level > have:
            log("scale: adding %d finished runs (to %d)", level - have, level)
            t0 = System.nanoTime()
            add_history(have + 1, level, base_ms)
            load_s = (System.nanoTime() - t0) / 1e9
            have = level
            if d.dialect.name == "postgresql":
                update("ANALYZE {status}")
            elif d.dialect.name == "mariadb":
                sql("ANALYZE TABLE {status}")  # returns a result set
        else:
            load_s = 0.0
        count = int(sql("SELECT COUNT(*) FROM {status}")[0][0])
        timed_claims(a.batch, 10, [probe])  # caches after the bulk insert
        claim_ms = timed_claims(a.batch, a.repeats, [probe])
        dispatch_ms = timed_dispatch(a.repeats)
        list_ms = timed(lambda: ok(svc.listRuns(status="SUCCESS", limit=50), "listRuns"),
                        max(3, a.repeats // 5))
        qs_ms = timed(lambda: ok(svc.queueStatus(), "queueStatus"), 3)
        level_result = {"history_rows": level, "table_rows": count, "insert_s": r3(load_s),
                        "insert_rows_per_s": r3((level - (results[-1]["history_rows"] if results
                                                          else 0)) / load_s) if load_s else None,
                        "claim_ms": stats_ms(claim_ms), "dispatch_ms": stats_ms(dispatch_ms),
                        "list_runs_ms": stats_ms(list_ms), "queue_status_ms": stats_ms(qs_ms)}
        log("scale: %d rows: claim p50 %.3f ms, dispatch p50 %.3f ms, listRuns p50 %.1f ms, "
            "queueStatus p50 %.1f ms", level, pct(claim_ms, 50), pct(dispatch_ms, 50),
            pct(list_ms, 50), pct(qs_ms, 50))
        results.append(level_result)
    lo, hi = results[0], results[-1]
    summary = {
        "scenario": "scale", "dialect": d.dialect.name, "history_rows": [r["history_rows"] for r in results],
        "batch": a.batch, "repeats": a.repeats,
        "claim_ms_at_min": lo["claim_ms"]["p50"], "claim_ms_at_max": hi["claim_ms"]["p50"],
        "claim_ratio": r3(hi["claim_ms"]["p50"] / lo["claim_ms"]["p50"]),
        "dispatch_ms_at_min": lo["dispatch_ms"]["p50"], "dispatch_ms_at_max": hi["dispatch_ms"]["p50"],
        "dispatch_ratio": r3(hi["dispatch_ms"]["p50"] / lo["dispatch_ms"]["p50"]),
        "list_runs_ms_at_max": hi["list_runs_ms"]["p50"],
        "queue_status_ms_at_max": hi["queue_status_ms"]["p50"],
        "history_insert_rows_per_s": hi["insert_rows_per_s"],
    }
    return summary, {"levels": results}


# -- memory ------------------------------------------------------------------------------------

def memory(a):
    base = heap_used()
    log("memory: baseline heap %.1f MB; queueing %d requests in memory", mb(base), a.queued)
    cap = int(kernel.config("inMemoryCapacity"))
    if a.queued > cap:
        ok(admin.configureRuntime(inMemoryCapacity=a.queued), "configureRuntime")
    lock = kernel.get()["flushLock"]
    lock.lock()  # keep the timer's flush away: the requests stay in memory
    try:
        accepted = 0
        for _i in range(a.queued):
            r = svc.enqueueInMemory("bench.k", {"k": 3}, queueName="bench.memory")
            accepted += 1 if r["ok"] else 0
        queued_heap = heap_used()
        depth = burst.depth()
    finally:
        lock.unlock()
    discard_in_memory()  # dropped on purpose: they were only there to be weighed
    log("memory: %d queued -> heap %.1f MB; starting %d sleeping workflows", depth, mb(queued_heap),
        a.running)

    after_clear = heap_used()
    ok(admin.configureQueue("default", concurrency=None), "configureQueue")
    set_workers(a.running + 8)
    benchflows.reset()
    wids = []
    t0 = System.nanoTime()
    for _i in range(a.running):
        wids.append(ok(svc.start("bench.sleep", {"ms": a.sleep_ms}), "start")["workflowId"])
    wait_until(lambda: benchflows.SLEEPING.get() >= a.running, 300,
               "%d workflows to be running" % a.running, 5000)
    ramp_s = (System.nanoTime() - t0) / 1e9
    running_heap = heap_used()
    running_now = running_count()
    threads = ManagementFactory.getThreadMXBean().getThreadCount()
    rss = rss_bytes()
    status_running = int(sql("SELECT COUNT(*) FROM {status} WHERE workflow_name = 'bench.sleep' "
                             "AND status = 'RUNNING'")[0][0])
    log("memory: %d running (%d RUNNING rows) -> heap %.1f MB, %d threads, RSS %.0f MB; cancelling",
        running_now, status_running, mb(running_heap), threads, mb(rss) or -1)
    for wid in wids:
        ok(svc.cancel(wid), "cancel")
    wait_until(lambda: running_count() == 0, 120, "cancelled runs to stop", 5000)
    summary = {
        "scenario": "memory", "dialect": handle().dialect.name,
        "max_heap_mb": mb(Runtime.getRuntime().maxMemory()),
        "heap_baseline_mb": mb(base),
        "queued": depth, "heap_queued_mb": mb(queued_heap),
        "queued_bytes_per_request": int((queued_heap - base) / max(1, depth)),
        "running": running_now, "running_rows": status_running,
        "heap_running_mb": mb(running_heap),
        "running_heap_bytes_per_run": int((running_heap - after_clear) / max(1, running_now)),
        "threads": threads, "rss_mb": mb(rss), "ramp_s": r3(ramp_s),
        "all_running": running_now >= a.running and status_running >= a.running,
    }
    return summary, {"heap_after_clear_mb": mb(after_clear), "accepted": accepted}


# -- micro -------------------------------------------------------------------------------------

def micro(a):
    """Costs of the engine's building blocks, one thread, no contention (us per call)."""
    with Draining():  # rows inserted here must not run under the measurement
        return _micro(a)


def _micro(a):
    import inspect
    from exchange.workflows.core import codec
    from exchange.workflows.engine import ids
    from exchange.workflows.engine import submit as submission
    from exchange.workflows.store import checkpoints
    from exchange.workflows.store.records import Operation
    from exchange.workflows.engine.registry import get as registered
    d = handle()
    n = a.iterations
    out = {}

    def t(name, fn, count=n):
        for _i in range(max(50, count // 5)):
            fn()
        t0 = System.nanoTime()
        for _i in range(count):
            fn()
        out[name] = r3((System.nanoTime() - t0) / 1e3 / count)
        log("micro: %-34s %9.1f us", name, out[name])

    noop = lambda: None  # noqa: E731
    t("python_call_baseline_us", noop)
    t("ids_newWorkflowId_us", ids.newWorkflowId)
    t("codec_encode_small_us", lambda: codec.encode({"k": 3}))
    t("codec_decode_small_us", lambda: codec.decode('{"k":3}'))
    t("getargspec_us", lambda: inspect.getargspec(registered("bench.k").fn))
    t("submission_build_us", lambda: submission.build("bench.k", {"k": 3}, "default", None, 0,
                                                      None, None, None))
    t("enqueueInMemory_us", lambda: svc.enqueueInMemory("bench.k", {"k": 3}, queueName="bench.micro"))
    discard_in_memory()
    dbn = max(20, n // 10)
    t("db_select_1_us", lambda: system.db.runPrepQuery("SELECT 1", [], DB), dbn)
    update("CREATE TABLE IF NOT EXISTS bench_micro (id INTEGER, v VARCHAR(20))")
    t("db_insert_autocommit_us", lambda: system.db.runPrepUpdate(
        "INSERT INTO bench_micro (id, v) VALUES (1, 'x')", [], DB), dbn)

    def tx_insert():
        tx = system.db.beginTransaction(DB, system.db.READ_COMMITTED, 30000)
        system.db.runPrepUpdate("INSERT INTO bench_micro (id, v) VALUES (1, 'x')", [], DB, tx)
        system.db.commitTransaction(tx)
        system.db.closeTransaction(tx)
    t("db_tx_insert_commit_us", tx_insert, dbn)

    def insert_row():
        wid, row = submission.build("bench.k", {"k": 3}, "bench.micro", None, 0, None, None, None)
        store_runs.insert(d, [row])
    t("build_and_insert_row_us", insert_row, dbn)

    def claim_one():
        rows, _more = store_claims.claim(d, "bench.micro", "bench/micro", ["bench.k"], None, 1,
                                  System.currentTimeMillis())
        if len(rows) != 1:
            left = sql("SELECT status, COUNT(*) FROM {status} WHERE queue_name = 'bench.micro' "
                       "GROUP BY status")
            raise RuntimeError("micro claim got %d rows; queue bench.micro holds %s" % (
                len(rows), [(r[0], r[1]) for r in left]))
    t("claim_1_row_us", claim_one, dbn // 2)

    # A run row held by a fake claim, to time the step checkpoint statement alone.
    wid = "00000000-eeee-7000-8000-000000000001"
    store_runs.insert(d, [(wid, "bench.k", "RUNNING", "bench.micro.run", None, 0, None, None,
                               "{}", None, None, 1, 1)])
    update("UPDATE {status} SET claim_epoch = 1, executor_id = 'bench/micro' WHERE workflow_id = ?",
           [wid])
    fid = [0]

    def record():
        fid[0] += 1
        if checkpoints.record(d, wid, 1, Operation(fid[0], "bench.noop", "1", None, 1, 1, 2)) != 1:
            raise RuntimeError("checkpoint refused")
    t("checkpoint_record_us", record, dbn)

    template = submission.build("bench.k", {"k": 0}, "bench.micro.flush", None, 0, None, None,
                                None)[1]
    batches = []
    for b in range(max(20, dbn // 20) * 6 // 5 + 60):
        batches.append([("%08x-dddd-7000-8000-%012x" % (b, i),) + template[1:] for i in range(200)])

    def insert_200():
        store_runs.insert(d, batches.pop())
    t("insert_200_rows_us", insert_200, max(20, dbn // 20))
    summary = dict(out)
    summary.update({"scenario": "micro", "dialect": d.dialect.name, "iterations": n})
    return summary, {}


# -- smoke -------------------------------------------------------------------------------------

SMOKE = [
    ("enqueue", ["enqueue", "--threads", "2", "--count", "200", "--warmup", "100",
                 "--timer-window", "1"]),
    ("e2e", ["e2e", "--workflows", "20", "--steps", "2", "--samples", "3", "--warmup", "5",
             "--overhead-steps", "2"]),
    ("e2e_memory", ["e2e", "--mode", "memory", "--concurrency", "3", "--workflows", "20",
                    "--steps", "1", "--samples", "2", "--warmup", "3", "--overhead-steps", "1"]),
    ("scale", ["scale", "--history-rows", "1000,3000", "--repeats", "3"]),
    ("memory", ["memory", "--queued", "2000", "--running", "20"]),
    ("tagevents", ["tagevents", "--rates", "1000", "--seconds", "0.5", "--burst-count", "200",
                   "--warmup", "100"]),
    # Waits released after 300 ms (when the engine releases waits at all), so
    # that most of the 60 runs wait released before the release at 8 s.
    ("waiting", ["waiting", "--runs", "60", "--workers", "4", "--hold-s", "8",
                 "--release-after-ms", "300", "--timeout-s", "150"]),
]


def smoke(a):
    """Every scenario at a tiny size in one gateway (CI, correctness only):
    prints each scenario's JSON line, then returns them all."""
    summary, detail = {"scenario": "smoke"}, {}
    for name, argv in SMOKE:
        sub = parse(argv)
        log("smoke: %s", " ".join(argv))
        s, d = SCENARIOS[sub.scenario](sub)
        print(json.dumps(s, sort_keys=True))
        summary[name] = s
        detail[name] = d
    return summary, detail


# -- main --------------------------------------------------------------------------------------

def main(argv):
    a = parse(argv)
    if a.server_pid:
        SERVER_PID.append(a.server_pid)
    fn = SCENARIOS[a.scenario]
    handle()  # schema ready before anything is timed
    t0 = time.time()
    summary, detail = fn(a)
    summary["run_s"] = r3(time.time() - t0)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"summary": summary, "detail": detail, "machine": machine(),
                       "args": vars(a)}, f, indent=2, sort_keys=True)
    print(json.dumps(summary, sort_keys=True))
    sys.stdout.flush()
    return 0


SCENARIOS = {"e2e": e2e, "enqueue": enqueue, "tagevents": tagevents, "waiting": waiting,
             "scale": scale,
             "memory": memory, "micro": micro, "smoke": smoke}

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
