"""Queues: partition exclusivity (checked from the data), deduplication,
priority, concurrency limits, registration lag, and an enqueueInMemory burst
from several threads."""
from __future__ import print_function

import threading
import time

import exchange.workflows.api.admin as admin
import exchange.workflows.engine.registry as registry
import flows
from wfkit import check, dispatch, finish, ok, sql, started, svc, wait_status

flows.ensure_tables()
ok(admin.configureRuntime(maxWorkers=6), "RUNTIME_CONFIGURED")

# --- partition exclusivity: never two active runs with the same key ---
wids = []
for i in range(6):
    key = "line-%d" % (i % 2)
    wids.append(started("t.partition", {"tag": "%s#%d" % (key, i), "hold_ms": 250}, partitionKey=key))
for wid in wids:
    wait_status(wid, "SUCCESS", 30)
rows = sql("SELECT tag, ts FROM app_effects WHERE tag LIKE 'line-%' ORDER BY ts, tag")
spans = {}
for tag, ts in rows:
    name, edge = tag.split(":")
    spans.setdefault(name, {})[edge] = ts
for key in ("line-0", "line-1"):
    mine = sorted((s["start"], s["end"]) for n, s in spans.items() if n.startswith(key + "#"))
    check(len(mine) == 3, "three runs of %s" % key, mine)
    overlaps = [(a, b) for a, b in zip(mine, mine[1:]) if b[0] < a[1]]
    check(not overlaps, "runs of partition %s never overlap" % key, mine)
both = sorted((s["start"], s["end"], n[:6]) for n, s in spans.items())
check(any(a[2] != b[2] and b[0] < a[1] for a, b in zip(both, both[1:])),
      "different partitions do run in parallel", both)

# --- deduplication: a second start while one is active returns the same run ---
first = svc.start("t.sleeper", {"total_ms": 800}, deduplicationId="batch-42")
second = svc.start("t.sleeper", {"total_ms": 800}, deduplicationId="batch-42")
ok(first, "WORKFLOW_ENQUEUED")
ok(second, "WORKFLOW_DEDUPLICATED")
check(second["data"]["workflowId"] == first["data"]["workflowId"] and second["data"]["deduplicated"],
      "dedup returns the active run's id", second)
check(ok(svc.listRuns(workflowName="t.sleeper"))["total"] == 1, "only one run was created")
wait_status(first["data"]["workflowId"], "SUCCESS", 10)
third = svc.start("t.sleeper", {"total_ms": 10}, deduplicationId="batch-42")
ok(third, "WORKFLOW_ENQUEUED")
check(third["data"]["workflowId"] != first["data"]["workflowId"], "a finished run frees its dedup id")
wait_status(third["data"]["workflowId"], "SUCCESS", 10)

# --- priority (lower first) and per-queue concurrency ---
ok(admin.configureQueue("prio", concurrency=1), "QUEUE_CONFIGURED")
blocker = started("t.sleeper", {"total_ms": 700}, queueName="prio")
wait_status(blocker, "RUNNING", 5)
order = []
for p in (5, 1, 3, 0, 9):
    order.append((p, started("t.partition", {"tag": "prio%d" % p, "hold_ms": 10}, queueName="prio",
                             priority=p)))
peak = [0]


def watch():
    for _ in range(200):
        active = ok(svc.listRuns(queueName="prio", status=["PENDING", "RUNNING", "HELD"]))["total"]
        peak[0] = max(peak[0], active)
        dispatch(queueName="prio")
        time.sleep(0.02)


watcher = threading.Thread(target=watch)
watcher.start()
for _, wid in order:
    wait_status(wid, "SUCCESS", 20)
watcher.join()
ran = [r[0] for r in sql("SELECT tag FROM app_effects WHERE tag LIKE 'prio%:start' ORDER BY ts, tag")]
check(ran == ["prio0:start", "prio1:start", "prio3:start", "prio5:start", "prio9:start"],
      "lower priority runs first", ran)
check(peak[0] == 1, "queue concurrency 1 is never exceeded", peak[0])

# --- registration lag: a run of an unregistered workflow is neither claimed nor failed ---
ack = ok(svc.enqueueInMemory("t.noop", {"x": 1}, queueName="lag"), "IN_MEMORY_ENQUEUE_ACCEPTED")
wid = ack["workflowId"]
registry.unregister("t.noop")
for _ in range(3):
    dispatch(queueName="lag")
time.sleep(0.3)
check(svc.getWorkflow(wid)["data"]["status"] == "ENQUEUED", "unregistered workflow stays ENQUEUED")
r = svc.start("t.noop", {"x": 2}, queueName="lag")
check(r["code"] == "WORKFLOW_NOT_REGISTERED", "start refuses unknown names", r)
reload(flows)  # the module is imported again: the workflow is registered
dispatch(queueName="lag")
row = wait_status(wid, "SUCCESS", 10)
check(row["output"] == {"x": 1}, "runs once its workflow is registered", row)

# --- a burst of enqueueInMemory calls from several threads ---
ids, errors, lock = [], [], threading.Lock()


def producer(n, base):
    for i in range(n):
        r = svc.enqueueInMemory("t.noop", {"resolved": {"x": base + i}}, queueName="burst")
        with lock:
            if r["ok"]:
                ids.append(r["data"]["workflowId"])
            else:
                errors.append(r)


threads = [threading.Thread(target=producer, args=(75, 1000 * t)) for t in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
check(not errors and len(ids) == 300 and len(set(ids)) == 300, "300 unique in-memory acks", errors[:2])
for _ in range(100):
    dispatch(queueName="burst", maxToClaim=50, flushMaxItems=64)
    if ok(svc.listRuns(queueName="burst", status="SUCCESS"))["total"] == 300:
        break
    time.sleep(0.1)
check(ok(svc.listRuns(queueName="burst", limit=1))["total"] == 300,
      "every in-memory request flushed exactly once")
done = ok(svc.listRuns(queueName="burst", status="SUCCESS", limit=1000))
check(done["total"] == 300 and set(r["workflowId"] for r in done["rows"]) == set(ids),
      "every accepted id ran to SUCCESS", done["total"])
xs = sorted(svc.getWorkflow(w)["data"]["output"]["x"] for w in ids[:20])
check(all(isinstance(x, int) for x in xs), "inputs arrived", xs)

finish()
