"""Group commit of step checkpoints (engine/committer.py), switched on for
this JVM (-Dexchange.workflows.groupCommit=on, set by the pytest wrapper).

Modes (argv[1]):
- ``batch``: many runs checkpointing at once get exactly one record per
  step; in a shared statement a fenced run's record is refused and only
  it, the others commit; a poison record (a duplicate key) fails only its
  own write.
- ``crash-start``: runs of many steps checkpoint concurrently; READY is
  printed while they do, and the test SIGKILLs the gateway.
- ``crash-check`` (argv[2]: READY's facts): after the restart every run
  ends with one record per step; no step whose checkpoint committed before
  the kill ran again, and no step the workflow saw return is missing.
"""
from __future__ import print_function

import json
import sys
import threading
import time

import exchange.workflows.api.admin as admin
import flows
import system
from exchange.workflows.bootstrap import getWorkflows, step, workflow
from exchange.workflows.core import clock
from exchange.workflows.engine import committer, database, ids, kernel
from exchange.workflows.engine.context import RunContext
from exchange.workflows.store import checkpoints, runs
from java.util.concurrent.atomic import AtomicLong
from exchange.workflows.store.records import Operation
from wfkit import DB, check, dispatch, finish, ok, sql, started, svc, update, wait_for, wait_status

MODE = sys.argv[1]
# Which life of the gateway executed a step: 1 before the kill, 2 after.
BOOT = 2 if MODE == "crash-check" else 1


@step(name="gc.effect")
def effect(i):
    """One side-effect row per execution, tagged with the gateway's life."""
    system.db.runPrepUpdate("INSERT INTO app_effects (workflow_id, tag, n, ts) VALUES (?, ?, ?, ?)",
                            [getWorkflows().workflowId, "e%d" % i, BOOT, clock.nowMs()], DB)
    return BOOT


@workflow(name="gc.effects")
def effects(n=10):
    """n steps; after each returns, a row says the workflow saw it (so its
    checkpoint had committed)."""
    boots = []
    for i in range(n):
        boots.append(effect(i))
        system.db.runPrepUpdate(
            "INSERT INTO app_effects (workflow_id, tag, n, ts) VALUES (?, ?, ?, ?)",
            [getWorkflows().workflowId, "seen%d" % i, BOOT, clock.nowMs()], DB)
    return {"boots": boots}


@step(name="gc.noop")
def noop(i):
    return i


@workflow(name="gc.steps")
def manySteps(n=8):
    return sum(noop(i) for i in range(n))


flows.ensure_tables()
store = database.prepare(DB)
OPS = flows.OPS_TABLE()
STATUS = flows.STATUS_TABLE()
check(committer.ENABLED, "group commit is on in this JVM (-Dexchange.workflows.groupCommit=on)")


def stat(name):
    c = kernel.get()["stats"].get(name)
    return c.get() if c is not None else 0


def recorded(wid):
    return [int(r[0]) for r in sql("SELECT function_id FROM %s WHERE workflow_id = ? "
                                   "ORDER BY function_id" % OPS, [wid])]


def concurrent_runs():
    """40 runs of 8 steps on 12 workers: one record per step, none lost."""
    ok(admin.configureRuntime(maxWorkers=12), "RUNTIME_CONFIGURED")
    before = stat("commitRecords")
    wids = [started("gc.steps", {"n": 8}) for _ in range(40)]
    for wid in wids:
        row = wait_status(wid, ("SUCCESS", "ERROR"), 120)
        check(row and row["status"] == "SUCCESS" and row["output"] == 28, "run succeeded", wid, row)
        check(recorded(wid) == list(range(8)), "exactly one record per step", wid, recorded(wid))
    check(stat("commitRecords") - before >= 40 * 8, "every record went through the committer")
    return {"statements": stat("commitStatements"), "records": stat("commitRecords")}


def held_run():
    """A RUNNING row held with epoch 1 (no worker runs it)."""
    now = clock.nowMs()
    wid = ids.newWorkflowId()
    row = (wid, "gc.steps", "RUNNING", "gc-held", None, 0, None, None, "{}", None, "gc", now, now)
    check(runs.insertRunning(store, row, "gc-test", 1, now, None) == 1, "held row inserted")
    return wid


def op(fid, name="gc.noop"):
    now = clock.nowMs()
    return Operation(fid, name, "1", None, 1, now, now)


def context(wid):
    """The RunContext a worker holding ``wid`` (epoch 1, executor gc-test) has."""
    row = [r for r in runs.owned(store, "gc-test") if r.workflowId == wid][0]
    return RunContext(store, row, [], "gc-test", AtomicLong(0))


def in_one_batch(records):
    """Records ``records`` ((RunContext, Operation)) through each run's
    context (replay.Replay.record: the engine's path), one thread each,
    while the committer's leaders are held, so that they all queue; then
    lets one leader write them together. Returns each outcome: 1, or the
    class name of what the record raised."""
    leaders, queue = committer._group(DB)
    leaders.acquire(committer.LEADERS)
    out = [None] * len(records)

    def write(i, ctx, o):
        try:
            ctx.record(o.functionId, o.functionName, output=o.output)
            out[i] = 1
        except BaseException as e:
            out[i] = type(e).__name__
    threads = [threading.Thread(target=write, args=(i, ctx, o))
               for i, (ctx, o) in enumerate(records)]
    statements = stat("commitStatements")
    for t in threads:
        t.start()
    wait_for(lambda: queue.size() == len(records), 20, 0.01, "the records to queue")
    leaders.release(1)  # one leader: it takes every queued record in one statement
    for t in threads:
        t.join(60)
    leaders.release(committer.LEADERS - 1)
    check(stat("commitStatements") - statements == 1, "the records shared one statement",
          stat("commitStatements") - statements)
    return out


def fenced_in_batch():
    """A fenced run's record is refused inside a shared statement; the
    others commit."""
    a, fenced, c = held_run(), held_run(), held_run()
    ctxA, ctxFenced, ctxC = context(a), context(fenced), context(c)
    # Another gateway took the run over: a newer epoch fences this holder.
    update("UPDATE %s SET claim_epoch = 2, executor_id = 'gc-other' WHERE workflow_id = ?"
           % STATUS, [fenced])
    out = in_one_batch([(ctxA, op(0)), (ctxFenced, op(0)), (ctxC, op(0))])
    check(out == [1, "ClaimLost", 1], "only the fenced run's record is refused", out)
    check(recorded(a) == [0] and recorded(c) == [0], "the other runs' records committed")
    check(recorded(fenced) == [], "nothing recorded for the fenced run", recorded(fenced))
    # A finished run refuses too (the guard's owned statuses).
    done = held_run()
    ctxDone = context(done)
    update("UPDATE %s SET status = 'CANCELLED' WHERE workflow_id = ?" % STATUS, [done])
    out = in_one_batch([(ctxA, op(1)), (ctxDone, op(0))])
    check(out == [1, "WorkflowCancelled"], "a cancelled run's record is refused, its "
          "neighbour's kept", out)


def poison_in_batch():
    """A record the database refuses (its key exists) fails only its own
    write; the others in its statement commit."""
    a, poisoned, c = held_run(), held_run(), held_run()
    check(checkpoints.record(store, poisoned, 1, op(0)) == 1, "first record of the poisoned run")
    out = in_one_batch([(context(a), op(0)), (context(poisoned), op(0, "gc.other")),
                        (context(c), op(0))])
    check(out == [1, "ClaimLost", 1], "only the poison record fails (its run left to recovery)",
          out)
    check(recorded(a) == [0] and recorded(c) == [0], "its neighbours' records committed")
    rec = checkpoints.at(store, poisoned, 0)
    check(rec is not None and rec.functionName == "gc.noop", "the poisoned run's record unchanged")


def crash_start():
    update("DELETE FROM app_effects WHERE tag LIKE 'e%' OR tag LIKE 'seen%'")
    dispatch()
    wids = [started("gc.effects", {"n": 40}) for _ in range(24)]

    def busy():
        n = int(sql("SELECT COUNT(*) FROM %s WHERE workflow_id IN (%s)" % (
            OPS, ", ".join(["?"] * len(wids))), wids)[0][0])
        return n if n >= 120 else None
    wait_for(busy, 60, 0.005, "the runs to checkpoint")
    print("READY " + json.dumps({"wids": wids, "steps": 40}))
    sys.stdout.flush()
    time.sleep(300)


def crash_check(before):
    wids, n = before["wids"], before["steps"]
    repeated = spanning = 0
    for wid in wids:
        row = wait_status(wid, ("SUCCESS", "ERROR", "DEAD_LETTER"), 120)
        if not check(row and row["status"] == "SUCCESS", "run finished after the restart", wid, row):
            continue
        steps = [s for s in ok(svc.getSteps(wid), "STEPS_LISTED") if s["functionName"] == "gc.effect"]
        check([s["functionId"] for s in steps] == list(range(n)), "one record per step, none lost",
              wid, [s["functionId"] for s in steps])
        boots = row["output"]["boots"]
        check(len(boots) == n and boots == sorted(boots), "steps of life 1, then of life 2", wid, boots)
        if 1 in boots and 2 in boots:
            spanning += 1
        effectRows = sql("SELECT tag, n FROM app_effects WHERE workflow_id = ?", [wid])
        runs_ = {}
        seen = set()
        for tag, boot in effectRows:
            if tag.startswith("seen"):
                if int(boot) == 1:
                    seen.add(int(tag[4:]))
            else:
                runs_.setdefault(int(tag[1:]), []).append(int(boot))
        for i in range(n):
            execs = sorted(runs_.get(i, []))
            if boots[i] == 1:
                # Committed before the kill: executed once, never again.
                check(execs == [1], "a step recorded before the kill ran once", wid, i, execs)
            else:
                # In flight at the kill (its effect may have happened once
                # before), or not reached: exactly once after the restart.
                check(execs in ([2], [1, 2]), "a step recorded after the restart ran once then",
                      wid, i, execs)
                if execs == [1, 2]:
                    repeated += 1
            if i in seen:
                check(boots[i] == 1, "a step the workflow saw before the kill kept its record",
                      wid, i, boots[i])
        check(sum(1 for i in range(n) if len(runs_.get(i, [])) > 1) <= 1,
              "at most the step in flight at the kill ran twice", wid)
    return {"repeatedInFlight": repeated, "runsAcrossTheKill": spanning}


if MODE == "batch":
    facts = concurrent_runs()
    fenced_in_batch()
    poison_in_batch()
    finish(**facts)
elif MODE == "crash-start":
    crash_start()
else:
    finish(**crash_check(json.loads(sys.argv[2])))
