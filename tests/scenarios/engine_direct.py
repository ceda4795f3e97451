"""Direct starts: start() on a gateway with a free worker inserts the run as
RUNNING and runs it at once; every case that needs the queue's rules goes
through the queue instead (checked from the counters and from the rows)."""
from __future__ import print_function

import time

import exchange.workflows.api.admin as admin
import exchange.workflows.engine.kernel as kernel
import flows
from wfkit import check, dispatch, finish, ok, sql, started, svc, wait_for, wait_status

flows.ensure_tables()
T = flows.STATUS_TABLE()


def direct_starts():
    c = kernel.get()["stats"].get("directStarts")
    return c.get() if c is not None else 0


def row_of(wid):
    r = sql("SELECT status, claim_epoch, executor_id, started_ms, created_ms FROM " + T
            + " WHERE workflow_id = ?", [wid])
    return tuple(r[0][i] for i in range(5))


def is_direct(name, inputs=None, **kw):
    before = direct_starts()
    wid = started(name, inputs, **kw)
    return wid, direct_starts() - before


def direct_soon(name, inputs=None, **kw):
    """Starts runs until one starts directly (up to 5): a claim in progress
    (the gateway timer's) reserves the free workers for a moment, and a
    start() meanwhile rightly goes through the queue."""
    for _ in range(5):
        wid, n = is_direct(name, inputs, **kw)
        if n == 1:
            return wid, n
        wait_status(wid, "SUCCESS", 10)
    return wid, n


ok(admin.configureRuntime(maxWorkers=3), "RUNTIME_CONFIGURED")
ok(admin.configureQueue("direct.limited", concurrency=2), "QUEUE_CONFIGURED")
dispatch()  # renews this gateway's lease: without it nothing may start directly

# A free worker: one INSERT of a RUNNING row held by this gateway, epoch 1.
wid, n = direct_soon("t.steps", {"n": 3})
check(n == 1, "start() with a free worker starts directly", n)
status, epoch, executor, startedMs, createdMs = row_of(wid)
check(status in ("RUNNING", "SUCCESS") and epoch == 1 and executor and startedMs == createdMs,
      "the row was inserted RUNNING, held here with epoch 1", row_of(wid))
done = wait_status(wid, "SUCCESS", 10)
check(done["output"] == {"total": 3}, "it ran to the end", done)
check(len(ok(svc.getSteps(wid))) == 3, "three steps recorded once each")

# The queue's rules apply: partition key, concurrency limit, other version.
for label, kw in (("partition key", {"partitionKey": "direct-p"}),
                  ("concurrency limit", {"queueName": "direct.limited"})):
    wid, n = is_direct("t.noop", {"x": 1}, **kw)
    check(n == 0, "a run with a %s goes through the queue" % label, n)
    wait_status(wid, "SUCCESS", 10)
    facts_row = row_of(wid)
    check(facts_row[3] is None or facts_row[3] >= facts_row[4], "timestamps are sane", facts_row)

# Deduplication holds on the direct path: the second start returns the first run.
first = svc.start("t.sleeper", {"total_ms": 1500}, deduplicationId="direct-dedup")
second = svc.start("t.sleeper", {"total_ms": 10}, deduplicationId="direct-dedup")
ok(first, "WORKFLOW_ENQUEUED")
ok(second, "WORKFLOW_DEDUPLICATED")
check(second["data"]["workflowId"] == first["data"]["workflowId"], "dedup answers the active run",
      first, second)
wait_status(first["data"]["workflowId"], "SUCCESS", 10)

# Workers all busy: the next starts queue, and run when workers free up.
busy = [started("t.sleeper", {"total_ms": 1200}) for _ in range(3)]
wait_for(lambda: kernel.freeWorkers() <= 0, 5, 0.01, "three busy workers")
queued = []
for i in range(4):
    wid, n = is_direct("t.noop", {"x": i})
    check(n == 0, "no direct start without a free worker", n)
    queued.append(wid)
check(all(row_of(w)[0] in ("ENQUEUED", "PENDING", "RUNNING", "SUCCESS") for w in queued),
      "queued runs are rows")
for w in busy + queued:
    wait_status(w, "SUCCESS", 20)

# A start() on a limited queue while another claim (e.g. the timer's) holds
# every free slot: that claim may have read the queue before the row, so the
# wake-up must wait for it and claim, not leave the row to the next tick.
def timer_claims():
    c = kernel.get()["stats"].get("claimedByDispatch")
    return c.get() if c is not None else 0


def woken_despite_reserved_slots():
    reserved = kernel.reserveWorkers(1000)  # as a claim in progress does
    before = timer_claims()
    try:
        wid = started("t.noop", {"x": 2}, queueName="direct.limited")
        time.sleep(0.2)
    finally:
        kernel.releaseWorkers(reserved)
    wait_status(wid, "SUCCESS", 10)
    return timer_claims() == before


# A timer tick in the few ms after the release may legitimately win the row:
# one trial of three must show the wake-up's own claim.
check(any(woken_despite_reserved_slots() for _ in range(3)),
      "a wake-up during another claim is not left to the timer")

# Maintenance drain: starts are durable but run nowhere.
ok(admin.setMaintenance("drain", reason="direct test"), "MAINTENANCE_SET")
dispatch()
wid, n = is_direct("t.noop", {"x": 9})
check(n == 0 and row_of(wid)[0] == "ENQUEUED", "no direct start while draining", row_of(wid))
ok(admin.setMaintenance(None), "MAINTENANCE_SET")
dispatch()
wait_status(wid, "SUCCESS", 10)

# A gateway that runs one application version starts only that one directly.
ok(admin.configureRuntime(applicationVersion="v1"), "RUNTIME_CONFIGURED")
dispatch()
wid, n = direct_soon("t.noop", {"x": 1}, applicationVersion="v1")
check(n == 1, "a run of this gateway's version starts directly", n)
wait_status(wid, "SUCCESS", 10)
wid, n = is_direct("t.noop", {"x": 1}, applicationVersion="v-elsewhere")
check(n == 0 and row_of(wid)[0] == "ENQUEUED", "a run of another version waits in the queue",
      row_of(wid))
ok(svc.cancel(wid), "CANCEL_REQUESTED")

finish(directStarts=direct_starts())
