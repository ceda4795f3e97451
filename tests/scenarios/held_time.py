"""Deadlines exclude time spent HELD (issue 12 item 2): a run held past its
timeout and resumed finishes SUCCESS, with the time held in ``heldMs`` and
its deadline pushed back by exactly that; ``timeoutIncludesHeld=True``
keeps the old rule (the held run times out); a HOLD sent before the claim
is accounted the same way; and the account survives a SIGKILL while held.

Modes (argv[1]): none, the in-gateway checks; ``crash-start``: leaves a
HELD run and waits to be killed; ``crash-check`` JSON: the restarted
gateway resumes it past its original deadline.
"""
from __future__ import print_function

import json
import sys
import time

import flows
from exchange.workflows.bootstrap import getWorkflows, workflow
from exchange.workflows.steps.sleep import sleep_chunked
from wfkit import check, finish, ok, started, svc, wait_for, wait_status

# Every run here has this timeout and about a second of running time; the
# scenario holds them for twice the timeout.
TIMEOUT_SECONDS = 3
HELD_FOR_SECONDS = 2 * TIMEOUT_SECONDS
PHASES = {"n": 8, "sleep_ms": 100}


def _phases(n, sleep_ms):
    rt = getWorkflows()
    for i in range(n):
        rt.progress("phase %d/%d" % (i + 1, n), {"i": i + 1})
        sleep_chunked(total_ms=sleep_ms, chunk_ms=50)
    return {"phases": n}


@workflow(name="ht.batch")
def batch(n=8, sleep_ms=100):
    return _phases(n, sleep_ms)


@workflow(name="ht.strict", timeoutIncludesHeld=True)
def strict(n=8, sleep_ms=100):
    return _phases(n, sleep_ms)


def row(wid):
    return svc.getWorkflow(wid)["data"]


def start(name, **kw):
    return started(name, dict(PHASES), timeoutSeconds=TIMEOUT_SECONDS, **kw)


def hold_running(wid):
    """HOLD once the run executes on its worker (its first phase shows).

    A HOLD sent in the same millisecond as a direct start can meet a recovery
    cycle re-claiming the run before its worker registered it; that start
    race is a known gap (noted on issue 12), not what these checks are about."""
    wait_for(lambda: (row(wid).get("progress") or {}).get("extra", {}).get("i", 0) >= 1, 15,
             what="the run's first phase")
    hold(wid)


def hold(wid):
    ok(svc.sendCommand(wid, "HOLD", reason="held past the timeout"), "COMMAND_SENT")


def resumed_within_account(wid, heldRow, label):
    """RESUME a run that is HELD (``heldRow``: its row then): it ends
    SUCCESS, with the time held counted and its deadline pushed back by it."""
    ok(svc.sendCommand(wid, "RESUME", reason="resumed"), "COMMAND_SENT")
    done = wait_status(wid, ("SUCCESS", "ERROR", "CANCELLED", "ABORTED", "STOPPED"), 30)
    check(done["status"] == "SUCCESS", "%s: resumed past its timeout, ends SUCCESS" % label, done)
    check(done["output"] == {"phases": PHASES["n"]}, "%s: every phase ran" % label, done)
    check(done["heldMs"] > 0 and done["heldSinceMs"] is None,
          "%s: heldMs counts the hold, which is closed" % label, done)
    # One hold: the deadline moved by exactly the held time.
    check(done["deadlineMs"] - heldRow["deadlineMs"] == done["heldMs"],
          "%s: deadline pushed back by heldMs" % label, heldRow["deadlineMs"], done)
    return done


def in_gateway():
    flows.ensure_tables()
    plain = start("ht.batch")
    hold_running(plain)
    counting = start("ht.strict")
    hold_running(counting)
    # A run queued behind a partition, held before it is claimed.
    blocker = started("ht.batch", {"n": 600, "sleep_ms": 100}, partitionKey="ht-p")
    queued = start("ht.batch", partitionKey="ht-p")
    hold(queued)

    heldPlain = wait_status(plain, "HELD", 15)
    check(heldPlain["status"] == "HELD", "HOLD parks the run", heldPlain)
    check(heldPlain["heldSinceMs"] is not None, "a HELD run shows heldSinceMs", heldPlain)
    # It may already have timed out while held: that is what it checks.
    wait_status(counting, ("HELD", "ERROR"), 15)
    check(row(queued)["status"] == "ENQUEUED", "the HOLD waits for the claim", row(queued))
    ok(svc.cancel(blocker, "make way"), "CANCEL_REQUESTED")
    heldQueued = wait_status(queued, "HELD", 15)
    check(heldQueued["status"] == "HELD" and heldQueued["deadlineMs"] is not None,
          "a run held before its claim is HELD after it, with a deadline", heldQueued)

    time.sleep(HELD_FOR_SECONDS)
    now = row(plain)
    check(now["status"] == "HELD", "no timeout while HELD", now)
    check(now["heldMs"] > 0 and now["heldSinceMs"] == heldPlain["heldSinceMs"],
          "heldMs includes the hold going on", now)
    check(row(queued)["status"] == "HELD", "no timeout while HELD (held before its claim)")

    timedOut = wait_status(counting, ("ERROR", "SUCCESS", "CANCELLED"), 30)
    check(timedOut["status"] == "ERROR"
          and (timedOut.get("error") or {}).get("type") == "WorkflowTimedOut",
          "timeoutIncludesHeld=True: the held run times out", timedOut)
    check(timedOut["heldMs"] > 0 and timedOut["heldSinceMs"] is None,
          "a run that ends while held keeps its held time", timedOut)

    resumed_within_account(plain, heldPlain, "started directly")
    resumed_within_account(queued, heldQueued, "held before its claim")
    finish()


def crash_start():
    flows.ensure_tables()
    wid = start("ht.batch")
    hold_running(wid)
    held = wait_status(wid, "HELD", 15)
    check(held["status"] == "HELD", "HOLD parks the run", held)
    print("READY " + json.dumps({"workflowId": wid, "deadlineMs": held["deadlineMs"],
                                 "heldSinceMs": held["heldSinceMs"],
                                 "claimEpoch": held["claimEpoch"]}))
    sys.stdout.flush()
    time.sleep(300)


def crash_check(before):
    wid = before["workflowId"]
    again = wait_for(lambda: row(wid)["claimEpoch"] > before["claimEpoch"] and row(wid), 30,
                     what="the HELD run to be recovered")
    check(bool(again), "the HELD run is recovered after the restart")
    # Well past the deadline it had before it was held.
    pause = before["deadlineMs"] + 2000 - int(time.time() * 1000)
    if pause > 0:
        time.sleep(pause / 1000.0)
    now = row(wid)
    check(now["status"] == "HELD", "still HELD after the restart, past the old deadline", now)
    check(now["heldSinceMs"] == before["heldSinceMs"] and now["deadlineMs"] == before["deadlineMs"],
          "the hold's start and the deadline survived the crash unchanged", before, now)
    resumed_within_account(wid, now, "across a crash")
    finish()


if len(sys.argv) > 1 and sys.argv[1] == "crash-start":
    crash_start()
elif len(sys.argv) > 1 and sys.argv[1] == "crash-check":
    crash_check(json.loads(sys.argv[2]))
else:
    in_gateway()
