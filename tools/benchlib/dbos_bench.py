"""The DBOS Transact side of tools/bench-compare (CPython 3, run in a throwaway
virtualenv that has `dbos` from PyPI).

    python dbos_bench.py --db-url postgresql://postgres@127.0.0.1:PORT/DBNAME
        [--workflows 1000] [--queue-workflows 200] [--steps 3] [--samples 50]
        [--overhead-steps 10] [--concurrency 10] [--json FILE]

The same workload as `tools/bench e2e`: workflows of K no-op steps.
  - per-step overhead: uncontended, one workflow at a time, called directly,
    (median K-step latency - median 0-step latency) / K;
  - start latency: DBOS.start_workflow() -> first line of the workflow body;
  - direct throughput: N workflows started with DBOS.start_workflow, all awaited;
  - queued throughput: N workflows enqueued on a queue with concurrency C and
    the default polling interval (1 s), all awaited.
The last line printed is one JSON object.
"""
import argparse
import json
import statistics
import sys
import threading
import time

from dbos import DBOS, DBOSConfig

ENTRY = {}
_lock = threading.Lock()


@DBOS.step()
def noop(i):
    return i


@DBOS.workflow()
def bench_k(k, tag=None):
    if tag is not None:
        with _lock:
            ENTRY[tag] = time.perf_counter()
    for i in range(k):
        noop(i)
    return k


def pct(values, p):
    s = sorted(values)
    if not s:
        return None
    k = int(round(p / 100.0 * len(s) + 0.5)) - 1
    return s[max(0, min(len(s) - 1, k))]


def r3(x):
    return None if x is None else round(float(x), 3)


def log(msg):
    sys.stderr.write("[dbos-bench] %s\n" % msg)
    sys.stderr.flush()


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--db-url", required=True)
    p.add_argument("--workflows", type=int, default=1000)
    p.add_argument("--queue-workflows", type=int, default=200)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--samples", type=int, default=50)
    p.add_argument("--overhead-steps", type=int, default=10)
    p.add_argument("--concurrency", type=int, default=10)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--json")
    a = p.parse_args(argv)

    config: DBOSConfig = {"name": "wfbench", "system_database_url": a.db_url,
                          "log_level": "WARNING"}
    DBOS(config=config)
    DBOS.launch()
    import dbos
    version = getattr(dbos, "__version__", None)
    if version is None:
        try:
            from importlib.metadata import version as _v
            version = _v("dbos")
        except Exception:  # noqa: BLE001
            version = "?"
    queue = DBOS.register_queue("bench_q", concurrency=a.concurrency)

    log("warm-up %d" % a.warmup)
    for _ in range(a.warmup):
        bench_k(a.steps)
    hs = [DBOS.start_workflow(bench_k, a.steps) for _ in range(a.warmup)]
    for h in hs:
        h.get_result()

    K = a.overhead_steps
    log("uncontended: %d pairs of 0-step / %d-step workflows" % (a.samples, K))
    lat = {0: [], K: []}
    startup = []
    n = 0
    for _ in range(a.samples):
        for k in (0, K):
            t0 = time.perf_counter()
            bench_k(k)
            lat[k].append((time.perf_counter() - t0) * 1000)
        tag = "s%d" % n
        n += 1
        t0 = time.perf_counter()
        h = DBOS.start_workflow(bench_k, 0, tag)
        h.get_result()
        startup.append((ENTRY[tag] - t0) * 1000)
    overhead = (statistics.median(lat[K]) - statistics.median(lat[0])) / K

    log("direct: %d workflows of %d steps with start_workflow" % (a.workflows, a.steps))
    t0 = time.perf_counter()
    hs = [DBOS.start_workflow(bench_k, a.steps) for _ in range(a.workflows)]
    submitted = time.perf_counter() - t0
    for h in hs:
        h.get_result()
    direct_s = time.perf_counter() - t0

    log("queued: %d workflows of %d steps on a queue (concurrency %d, default polling)"
        % (a.queue_workflows, a.steps, a.concurrency))
    ENTRY.clear()
    t0 = time.perf_counter()
    hs = []
    for i in range(a.queue_workflows):
        hs.append(queue.enqueue(bench_k, a.steps, "q%d" % i))
    for h in hs:
        h.get_result()
    queued_s = time.perf_counter() - t0
    q_start = [(ENTRY["q%d" % i] - t0) * 1000 for i in range(a.queue_workflows) if "q%d" % i in ENTRY]

    summary = {
        "system": "dbos", "dbos_version": version, "steps": a.steps,
        "step_overhead_ms": r3(overhead), "overhead_steps": K,
        "workflow_0_step_latency_ms": r3(statistics.median(lat[0])),
        "workflow_k_step_latency_ms": r3(statistics.median(lat[K])),
        "start_latency_p50_ms": r3(pct(startup, 50)), "start_latency_p99_ms": r3(pct(startup, 99)),
        "direct_workflows": a.workflows,
        "direct_workflows_per_s": r3(a.workflows / direct_s),
        "direct_submit_per_s": r3(a.workflows / submitted),
        "queue_workflows": a.queue_workflows, "queue_concurrency": a.concurrency,
        "queued_workflows_per_s": r3(a.queue_workflows / queued_s),
        "queued_submit_to_body_p50_ms": r3(pct(q_start, 50)),
    }
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"summary": summary, "latency_ms": {str(k): v for k, v in lat.items()},
                       "startup_ms": startup}, f, indent=2)
    DBOS.destroy()
    print(json.dumps(summary, sort_keys=True))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
