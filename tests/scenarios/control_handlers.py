"""Command handlers (issue 12 item 1): onHold, onResume, onStop and onAbort
run as durable code in HOLDING, RESTARTING, STOPPING and ABORTING, exactly
once per transition, counted in the database (each handler step inserts a
row into app_effects).

Checks, in the gateway (no argv):
  1. HOLD, RESUME, STOP: each handler once, the statuses seen in order,
     getTransitions lists the three transitions DONE.
  3. STOP sent while HOLDING is taken after onHold: HELD, then onStop; the
     run keeps its partition key meanwhile (the line's next batch waits).
  4. ABORT runs onAbort (not onStop); ABORT during STOPPING abandons onStop
     at its next safe point and runs onAbort.
  5. onHold raising: the run is HELD with handlerError; RESUME goes on.
  6. the body raising (abortOnError, the default): onAbort, then ERROR with
     the body's error; a run past its timeout likewise (WorkflowTimedOut).
  6b. service.resume of that run: onResume (RESTARTING) before the body
     replays.
  7. cancel during onHold: CANCELLED at its next safe point, its
     transition ABANDONED, no further handler step.
  8. HOLD at a poll inside a step: onHold runs there, the step parks and
     goes on after RESUME (onResume), its side effects once.
2. Crash (argv ``crash-start`` HOLD|STOP|ABORT, then ``crash-check`` JSON): a
SIGKILL during onHold (onStop, onAbort), between its first steps and its
last, resumes the handler after the restart: HELD (STOPPED, ABORTED), each
handler step and each body step executed once. With ``takeover`` after the
command, the check runs on another gateway, which takes the run over once
the killed gateway's lease has expired, and resumes the handler there.
"""
from __future__ import print_function

import json
import sys
import time

import exchange.workflows.api.admin as admin
import flows
from exchange.workflows.bootstrap import getWorkflows, step, workflow
from exchange.workflows.steps.sleep import sleep_chunked
from flows import effect
from wfkit import TERMINAL, check, finish, ok, sql, started, svc, wait_for, wait_status

# Long enough for a poll every 50 ms to see each transitional status.
HANDLER_MS = 1200


def on_hold(**inputs):
    effect("hold1")
    if inputs.get("fail_hold"):
        raise ValueError("the inlet valve did not close")
    sleep_chunked(total_ms=inputs.get("hold_ms", HANDLER_MS), chunk_ms=50)
    effect("hold2")


def on_resume(**inputs):
    effect("resume")
    try:
        getWorkflows().recv("x", 0)
        effect("recv_allowed")
    except Exception:
        effect("recv_refused")  # commands and messages are not a handler's to take
    sleep_chunked(total_ms=HANDLER_MS, chunk_ms=50)


def on_stop(**inputs):
    effect("stop")
    sleep_chunked(total_ms=inputs.get("stop_ms", HANDLER_MS), chunk_ms=50)
    effect("stop_end")


def on_abort(**inputs):
    effect("abort")
    why = getWorkflows().transition
    effect("why:%s:%s:%s" % (why["handler"], why["cause"], why["command"]))
    sleep_chunked(total_ms=inputs.get("abort_ms", HANDLER_MS), chunk_ms=50)
    effect("abort_end")


@workflow(name="ch.batch", onHold=on_hold, onResume=on_resume, onStop=on_stop,
          onAbort=on_abort)
def batch(n=40, sleep_ms=100, fail_at=-1, fail_hold=False, hold_ms=HANDLER_MS,
          stop_ms=HANDLER_MS, abort_ms=HANDLER_MS):
    for i in range(n):
        if i == fail_at:
            raise KeyError("phase %d failed" % i)
        effect("b%d" % i, i)
        sleep_chunked(total_ms=sleep_ms, chunk_ms=50)
    return {"phases": n}


@step(name="ch.slow_step")
def slow_step(ms):
    """A step that waits inside itself: a HOLD taken at its polls runs onHold
    there and parks the step; it goes on after RESUME."""
    effect("in_before")
    sleep_chunked(total_ms=ms, chunk_ms=50)
    effect("in_after")
    return ms


@workflow(name="ch.instep", onHold=on_hold, onResume=on_resume)
def instep(ms=3000):
    effect("b0")
    slow_step(ms)
    effect("b1")
    return {"ok": True}


def row(wid):
    return svc.getWorkflow(wid)["data"]


counts = flows.effect_counts


def transitions(wid):
    return ok(svc.getTransitions(wid), "TRANSITIONS_LISTED") or []


def send(wid, cmd):
    ok(svc.sendCommand(wid, cmd, reason="control_handlers " + cmd.lower()), "COMMAND_SENT")


def running(wid, phase=1):
    wait_for(lambda: counts(wid).get("b%d" % phase), 20, what="body phase %d of %s" % (phase, wid))


class Watch(object):
    """The statuses a run goes through, as polled every 20 ms."""

    def __init__(self, wid):
        self.wid, self.seen = wid, []

    def until(self, wanted, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            r = row(self.wid)
            if not self.seen or self.seen[-1] != r["status"]:
                self.seen.append(r["status"])
            if r["status"] in wanted:
                return r
            time.sleep(0.02)
        check(False, "%s: timed out waiting for %s; seen %s" % (self.wid, wanted, self.seen))
        return row(self.wid)


def hold_resume_stop():
    wid = started("ch.batch", {"n": 200})
    running(wid)
    watch = Watch(wid)
    watch.until(("RUNNING",))
    send(wid, "HOLD")
    holding = watch.until(("HOLDING",))
    check(holding["handler"] and holding["handler"]["name"] == "onHold",
          "getWorkflow shows the running handler", holding)
    listed = ok(svc.listRuns(status="HOLDING"), "RUNS_LISTED")
    check(wid in [r["workflowId"] for r in listed["rows"]], "listRuns shows HOLDING", listed)
    held = watch.until(("HELD",))
    check(held["handler"] is None and held["handlerError"] is None, "HELD: no handler", held)
    send(wid, "RESUME")
    watch.until(("RESTARTING",))
    watch.until(("RUNNING",))
    before = counts(wid)
    running(wid, max(int(k[1:]) for k in before if k.startswith("b")) + 1)
    send(wid, "STOP")
    watch.until(("STOPPING",))
    done = watch.until(TERMINAL)
    check(done["status"] == "STOPPED", "STOP ends STOPPED after onStop", done)
    check(watch.seen == ["RUNNING", "HOLDING", "HELD", "RESTARTING", "RUNNING", "STOPPING",
                         "STOPPED"], "statuses in order", watch.seen)
    c = counts(wid)
    check(c.get("recv_refused") == 1 and "recv_allowed" not in c, "rt.recv refused in onResume", c)
    check([c.get(t) for t in ("hold1", "hold2", "resume", "stop", "stop_end")] == [1] * 5
          and "abort" not in c, "each handler ran once, onAbort not at all", c)
    check(all(v == 1 for k, v in c.items() if k.startswith("b")), "each body step once", c)
    ts = transitions(wid)
    check([(t["handler"], t["state"], t["command"]) for t in ts]
          == [("onHold", "DONE", "HOLD"), ("onResume", "DONE", "RESUME"),
              ("onStop", "DONE", "STOP")], "getTransitions lists the three, DONE", ts)
    steps = ok(svc.getSteps(wid, transition=ts[0]["seq"]), "STEPS_LISTED") or []
    check([s["functionName"] for s in steps] == ["t.effect", "sleep.sleep_chunked", "t.effect"],
          "getSteps(transition=) lists onHold's steps", steps)
    body = ok(svc.getSteps(wid), "STEPS_LISTED") or []
    check(all(s["functionId"] < 1000000000 for s in body), "getSteps shows body steps only")


def stop_while_holding():
    wid = started("ch.batch", {"n": 200, "hold_ms": 2500}, partitionKey="ch-line")
    running(wid)
    watch = Watch(wid)
    send(wid, "HOLD")
    watch.until(("HOLDING",))
    # The line is busy while its batch is HOLDING: the next one waits.
    queued = started("ch.batch", {"n": 1}, partitionKey="ch-line")
    send(wid, "STOP")
    time.sleep(0.5)
    check(row(wid)["status"] == "HOLDING", "a STOP does not interrupt onHold")
    check(row(queued)["status"] == "ENQUEUED", "a HOLDING run keeps its partition",
          row(queued))
    done = watch.until(TERMINAL)
    check(done["status"] == "STOPPED", "STOP during HOLDING ends STOPPED", done)
    # HELD lasts only as long as it takes to take the STOP: the poll may
    # miss it, the transitions record it.
    check(watch.seen[-3:] == ["HOLDING", "STOPPING", "STOPPED"]
          or watch.seen[-4:] == ["HOLDING", "HELD", "STOPPING", "STOPPED"],
          "STOP taken after onHold", watch.seen)
    c = counts(wid)
    check(c.get("hold2") == 1 and c.get("stop") == 1 and c.get("stop_end") == 1,
          "onHold finished, then onStop ran once", c)
    after = wait_status(queued, TERMINAL, 30)
    check(after["status"] == "SUCCESS", "the next batch of the line runs once it ended", after)
    ts = transitions(wid)
    check(len(ts) == 2 and ts[0]["finishedMs"] <= ts[1]["startedMs"]
          and ts[1]["fromStatus"] == "HELD" and ts[1]["toStatus"] == "STOPPING",
          "onStop started from HELD after onHold ended", ts)


def abort_vs_stop():
    aborted = started("ch.batch", {"n": 200})
    running(aborted)
    send(aborted, "ABORT")
    watch = Watch(aborted)
    watch.until(("ABORTING",))
    done = watch.until(TERMINAL)
    c = counts(aborted)
    check(done["status"] == "ABORTED" and c.get("abort") == 1 and "stop" not in c,
          "ABORT runs onAbort, not onStop, and ends ABORTED", done, c)
    check(c.get("why:onAbort:command:ABORT") == 1, "rt.transition tells onAbort why", c)

    escalated = started("ch.batch", {"n": 200, "stop_ms": 20000})
    running(escalated)
    send(escalated, "STOP")
    watch = Watch(escalated)
    watch.until(("STOPPING",))
    wait_for(lambda: counts(escalated).get("stop"), 10, what="onStop's first step")
    send(escalated, "ABORT")
    done = watch.until(TERMINAL)
    c = counts(escalated)
    check(done["status"] == "ABORTED", "ABORT during STOPPING ends ABORTED", done, watch.seen)
    check(c.get("stop") == 1 and "stop_end" not in c and c.get("abort") == 1,
          "onStop abandoned at a safe point, onAbort ran once", c)
    ts = transitions(escalated)
    check([(t["handler"], t["state"]) for t in ts] == [("onStop", "ABANDONED"),
                                                       ("onAbort", "DONE")],
          "transitions: onStop ABANDONED, onAbort DONE", ts)


def failing_hold():
    wid = started("ch.batch", {"n": 6, "fail_hold": True})
    running(wid)
    send(wid, "HOLD")
    held = wait_status(wid, ("HELD",) + TERMINAL, 30)
    check(held["status"] == "HELD", "onHold raising still ends HELD", held)
    err = held.get("handlerError") or {}
    check(err.get("handler") == "onHold" and "inlet valve" in (err.get("message") or ""),
          "handlerError names the handler and its error", held)
    ts = transitions(wid)
    check(ts and ts[0]["state"] == "FAILED", "the transition is FAILED", ts)
    send(wid, "RESUME")
    done = wait_status(wid, TERMINAL, 60)
    check(done["status"] == "SUCCESS", "RESUME after a failed onHold: the run goes on", done)
    c = counts(wid)
    check(c.get("hold1") == 1 and "hold2" not in c and c.get("resume") == 1, "counts", c)


def failing_body():
    wid = started("ch.batch", {"n": 6, "fail_at": 2, "sleep_ms": 50})
    watch = Watch(wid)
    done = watch.until(TERMINAL)
    check(done["status"] == "ERROR", "a body that raises ends ERROR", done)
    check((done.get("error") or {}).get("type") == "KeyError",
          "with the body's own error", done)
    check("ABORTING" in watch.seen, "onAbort ran first (ABORTING seen)", watch.seen)
    c = counts(wid)
    check(c.get("abort") == 1 and c.get("b1") == 1 and "b2" not in c, "onAbort once", c)
    check(c.get("why:onAbort:error:None") == 1, "rt.transition: cause error", c)
    ts = transitions(wid)
    check([(t["handler"], t["cause"], t["state"]) for t in ts] == [("onAbort", "error", "DONE")],
          "the transition: onAbort for an error", ts)
    # service.resume runs onResume before the body replays; the body fails
    # at the same phase again, so onAbort runs again and the run ends ERROR.
    ok(svc.resume(wid, reason="after the fix"), "WORKFLOW_RESUMED")
    watch = Watch(wid)
    again = watch.until(TERMINAL, 60)
    check(again["status"] == "ERROR" and "RESTARTING" in watch.seen,
          "a resumed run goes through RESTARTING (onResume)", watch.seen, again)
    c = counts(wid)
    check(c.get("resume") == 1 and c.get("abort") == 2 and c.get("b0") == 1 and c.get("b1") == 1,
          "onResume once, finished body steps replayed, not executed", c)
    ts = transitions(wid)
    check([(t["handler"], t["cause"], t["state"]) for t in ts]
          == [("onAbort", "error", "DONE"), ("onResume", "resume", "DONE"),
              ("onAbort", "error", "DONE")], "resume recorded as an onResume transition", ts)


def timed_out():
    wid = started("ch.batch", {"n": 400}, timeoutSeconds=2)
    watch = Watch(wid)
    done = watch.until(TERMINAL, 60)
    check(done["status"] == "ERROR"
          and (done.get("error") or {}).get("type") == "WorkflowTimedOut",
          "a run past its timeout ends ERROR (WorkflowTimedOut)", done)
    check("ABORTING" in watch.seen and counts(wid).get("abort") == 1,
          "after onAbort, once", watch.seen, counts(wid))
    ts = transitions(wid)
    check([(t["handler"], t["cause"], t["state"]) for t in ts]
          == [("onAbort", "timeout", "DONE")], "the transition: onAbort for a timeout", ts)


def cancelled_in_handler():
    wid = started("ch.batch", {"n": 200, "hold_ms": 20000})
    running(wid)
    send(wid, "HOLD")
    wait_status(wid, "HOLDING", 20)
    wait_for(lambda: counts(wid).get("hold1"), 10, what="onHold's first step")
    ok(svc.cancel(wid, "wrong batch"), "CANCEL_REQUESTED")
    wait_for(lambda: (transitions(wid) or [{}])[0].get("state") == "ABANDONED", 20,
             what="the cancelled onHold to be marked ABANDONED")
    done = row(wid)
    c = counts(wid)
    check(done["status"] == "CANCELLED" and "hold2" not in c and "abort" not in c,
          "cancel interrupts onHold, and no handler runs for it", done, c)


def indexes_hold_the_transitional_statuses():
    """The partial indexes that keep one active run per partition and
    deduplication id were rebuilt with the transitional statuses."""
    from exchange.workflows.engine import database
    dialect = database.prepare(flows.DB).dialect
    if dialect.name == "postgresql":
        rows = sql("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = ? AND "
                   "indexname IN ('wf_ws_partition', 'wf_ws_dedup', 'wf_ws_owned', "
                   "'wf_ws_executor_owned')", [dialect.schema])
    else:
        prefix = dialect.names["ix"]
        rows = sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN "
                   "(?, ?, ?, ?)", [prefix + n for n in ("ws_partition", "ws_dedup", "ws_owned",
                                                         "ws_executor_owned")])
    defs = dict((r[0], r[1]) for r in rows)
    check(len(defs) == 4 and all("HOLDING" in d and "ABORTING" in d for d in defs.values()),
          "the partial indexes list the transitional statuses", defs)


def hold_inside_a_step():
    wid = started("ch.instep", {"ms": 4000})
    wait_for(lambda: counts(wid).get("in_before"), 20, what="the slow step to start")
    send(wid, "HOLD")
    held = wait_status(wid, ("HELD",) + TERMINAL, 30)
    c = counts(wid)
    check(held["status"] == "HELD" and c.get("hold2") == 1 and "in_after" not in c,
          "HOLD at a poll inside a step: onHold runs, the step parks", held, c)
    send(wid, "RESUME")
    done = wait_status(wid, TERMINAL, 60)
    c = counts(wid)
    check(done["status"] == "SUCCESS", "the step goes on after RESUME", done)
    check([c.get(t) for t in ("b0", "in_before", "in_after", "b1", "hold1", "hold2", "resume")]
          == [1] * 7, "everything once", c)
    steps = ok(svc.getSteps(wid), "STEPS_LISTED") or []
    check([s["functionName"] for s in steps] == ["t.effect", "ch.slow_step", "t.effect"],
          "the body's numbering is untouched by the handlers", steps)


def in_gateway():
    flows.ensure_tables()
    indexes_hold_the_transitional_statuses()
    hold_inside_a_step()
    hold_resume_stop()
    stop_while_holding()
    abort_vs_stop()
    failing_hold()
    failing_body()
    timed_out()
    cancelled_in_handler()
    finish()


# Per command: the status its handler runs in, the operations the handler
# records before its sleep (the kill lands in the sleep), its first and last
# step's effects, and where the run ends.
CRASHES = {
    "HOLD": ("HOLDING", 2, "hold1", "hold2", "HELD"),
    "STOP": ("STOPPING", 2, "stop", "stop_end", "STOPPED"),
    "ABORT": ("ABORTING", 3, "abort", "abort_end", "ABORTED"),
}
CRASH_INPUTS = {"n": 12, "hold_ms": 5000, "stop_ms": 5000, "abort_ms": 5000}
# With ``takeover``: the lease of both gateways, short, so that the second
# one (another name) takes the killed one's run over soon.
TAKEOVER_LEASE_SECONDS = 4


def crash_start(cmd, takeover=False):
    if takeover:
        admin.configureRuntime(leaseSeconds=TAKEOVER_LEASE_SECONDS)
    flows.ensure_tables()
    status, recorded, first, last, _ = CRASHES[cmd]
    wid = started("ch.batch", dict(CRASH_INPUTS))
    running(wid)
    send(wid, cmd)
    wait_status(wid, status, 20)
    # The handler's first steps are recorded, and its sleep has begun
    # (recorded too): the kill lands between its first step and its last.
    ops = flows.OPS_TABLE()
    wait_for(lambda: sql("SELECT COUNT(*) FROM " + ops + " WHERE workflow_id = ? AND "
                         "function_id >= 1000000000", [wid])[0][0] >= recorded, 20,
             what="the handler's first steps and sleep to be recorded")
    r = row(wid)
    if takeover:
        # Taken over is a gateway whose lease ran out: wait until ours is
        # recorded (a gateway killed before its first heartbeat has no lease
        # to expire; noted on issue 12).
        from exchange.workflows.engine import leases
        wait_for(lambda: [g for g in leases.gateways(flows.DB)
                          if g["executorId"] == r["executorId"] and g["state"] == "ALIVE"], 30,
                 what="this gateway's lease to be recorded")
    print("READY " + json.dumps({"workflowId": wid, "claimEpoch": r["claimEpoch"], "cmd": cmd,
                                 "counts": counts(wid), "executorId": r["executorId"],
                                 "takeover": takeover}))
    sys.stdout.flush()
    time.sleep(300)


def crash_check(before):
    if before["takeover"]:
        admin.configureRuntime(leaseSeconds=TAKEOVER_LEASE_SECONDS)
    wid, cmd = before["workflowId"], before["cmd"]
    status, _, first, last, end = CRASHES[cmd]
    check(before["counts"].get(first) == 1 and last not in before["counts"],
          "killed between the handler's steps", before)
    check(row(wid)["status"] == status, "still %s after the crash" % status, row(wid))
    # The handler's sleep (5 s) is durable: after the recovery it sleeps what
    # is left of it, then the handler's last step runs.
    reached = wait_status(wid, (end,) + TERMINAL, 120)
    check(reached["status"] == end, "the handler resumed after the restart: %s" % end, reached)
    check(reached["claimEpoch"] > before["claimEpoch"], "recovered under a new claim", reached)
    if before["takeover"]:
        check(reached["executorId"] != before["executorId"],
              "taken over by the other gateway", before, reached)
    c = counts(wid)
    check(c.get(first) == 1 and c.get(last) == 1, "each handler step executed once", c)
    check(all(v == 1 for k, v in c.items() if k.startswith("b")), "each body step once", c)
    ts = transitions(wid)
    check([(t["toStatus"], t["state"]) for t in ts] == [(status, "DONE")],
          "one transition, DONE", ts)
    if cmd == "HOLD":
        send(wid, "RESUME")
        done = wait_status(wid, TERMINAL, 60)
        check(done["status"] == "SUCCESS", "RESUME after the crash: SUCCESS", done)
        c = counts(wid)
        check(all(c.get("b%d" % i) == 1 for i in range(CRASH_INPUTS["n"])),
              "every body step exactly once", c)
        check(c.get("resume") == 1 and "abort" not in c, "onResume once", c)
    finish()


if len(sys.argv) > 1 and sys.argv[1] == "crash-start":
    crash_start(sys.argv[2], len(sys.argv) > 3 and sys.argv[3] == "takeover")
elif len(sys.argv) > 1 and sys.argv[1] == "crash-check":
    crash_check(json.loads(sys.argv[2]))
else:
    in_gateway()
