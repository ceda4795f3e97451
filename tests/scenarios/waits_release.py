"""Waits that hold no thread (issue 12 item 5) through tools/gwsim on real
Jython: a run HELD, asking, receiving, sleeping or awaiting a child gives
its worker thread back after ``releaseAfterMs`` and is woken (claim and
replay) when its condition is met.

Modes (argv[1]):
    none            the in-gateway checks:
      1. two workers, fourteen runs waiting at once (HOLD, ask, recv,
         sleep, awaitChild and the children themselves receiving, a tag):
         every one released, at most two threads busy, the waited tags
         read once per dispatch cycle; then RESUME, answers, messages, tag
         writes (one a pulse) and time: all SUCCESS, each step executed once;
      2. STOP (with onStop) and cancel of released runs;
      3. timeouts of released waits: a prompt's default, a receive's None,
         an awaitChild's ChildTimedOut, a tag wait's WaitTimeout, the
         workflow's own deadline; each at
         its original deadline, not restarted by the wake.
    crash-start     leaves runs released (and one being woken), prints
                    READY <json>, waits to be killed
    crash-check J   the restarted gateway (same name) finishes them: all
                    SUCCESS, no recorded step executed again
    takeover-start  (PostgreSQL) gateway A leaves a held run and a tag wait
                    released, prints READY <json>, waits to be killed
    takeover-check J  gateway B, once A's lease expired: checks A's tag wait
                    and wakes both runs; all SUCCESS, no step executed twice
"""
from __future__ import print_function

import json
import sys
import time

import exchange.workflows.api.admin as admin
import flows
from exchange.workflows.bootstrap import getWorkflows, workflow
from exchange.workflows.core.errors import ChildTimedOut
from exchange.workflows.core.errors import ANY_ERROR
from exchange.workflows.engine import identity
from exchange.workflows.steps import wait
from exchange.workflows.steps.sleep import sleep_chunked
import system
from flows import effect
from wfkit import TERMINAL, check, finish, ok, sql, started, svc, wait_for, wait_status

flows.ensure_tables()
STATUS = flows.STATUS_TABLE()
WORKERS = 2
RELEASE_AFTER_MS = 300


@workflow(name="wr.held")
def held(sleep_ms=8000):
    """HOLD is sent once "a" is done: the run is held in its sleep, which
    goes on after RESUME for the time it had left."""
    effect("a")
    sleep_chunked(total_ms=sleep_ms, chunk_ms=100)
    effect("b")
    return {"done": True}


@workflow(name="wr.ask")
def ask(timeout=None, default=None):
    effect("a")
    value = getWorkflows().ask("go", "Go on?", choices=["yes", "no"], default=default,
                               timeoutSeconds=timeout)
    effect("b")
    return {"value": value}


@workflow(name="wr.recv")
def recv(wait_s=600, then_sleep_ms=0):
    effect("a")
    msg = getWorkflows().recv("data", wait_s)
    if then_sleep_ms:
        sleep_chunked(total_ms=then_sleep_ms, chunk_ms=50)
    effect("b")
    return {"msg": msg}


@workflow(name="wr.parent")
def parent(child_wait_s=600, timeout=None):
    rt = getWorkflows()
    effect("a")
    cid = rt.startChild("wr.recv", {"wait_s": child_wait_s})
    try:
        out = rt.awaitChild(cid, timeoutSeconds=timeout)
    except ChildTimedOut:
        out = "timed out"
    effect("b")
    return {"child": cid, "out": out}


@workflow(name="wr.tag")
def tagwait(path, expected=1, timeout_ms=600000):
    effect("a")
    try:
        out = wait.until_tag_equals(path, expected, timeout_ms=timeout_ms, poll_ms=100)
    except ANY_ERROR as e:
        out = {"failed": type(e).__name__, "message": str(e)}
    effect("b")
    return out


BASE = "[default]WaitsRelease"
TAGS = ["T%d" % i for i in range(4)]


def make_tags():
    codes = system.tag.configure(BASE, [
        {"name": name, "tagType": "AtomicTag", "valueSource": "memory", "dataType": "Int4",
         "value": 0} for name in TAGS], "o")
    check(all(code.isGood() for code in codes), "memory tags configured", codes)


def write_tag(name, value):
    q = system.tag.writeBlocking([BASE + "/" + name], [value])[0]
    check(q.isGood(), "tag write", name, q)


def counter(name):
    return int((ok(admin.diagnostics()).get("counters") or {}).get(name) or 0)


def on_stop(**inputs):
    effect("onstop")


@workflow(name="wr.stoppable", onStop=on_stop)
def stoppable():
    effect("a")
    getWorkflows().recv("data", 600)
    effect("b")
    return {}


# flows.py's t.sleeper marks its two steps "before" and "after"; ours "a" and "b".
_SAME_AS = {"a": "before", "b": "after"}


def effects(wid, tag):
    """Executions of step ``tag`` of the run (of its first or last step: "a", "b")."""
    return int(sql("SELECT COUNT(*) FROM app_effects WHERE workflow_id = ? AND tag IN (?, ?)",
                   [wid, tag, _SAME_AS.get(tag, tag)])[0][0])


def released(ids):
    """The ids among ``ids`` whose run waits without a thread."""
    if not ids:
        return []
    rows = sql("SELECT workflow_id FROM %s WHERE wait_kind IS NOT NULL AND executor_id IS NULL "
               "AND status IN ('RUNNING', 'HELD') AND workflow_id IN (%s)"
               % (STATUS, ", ".join(["?"] * len(ids))), ids)
    return [str(r[0]) for r in rows]


def busy():
    """Threads of the worker pool busy now, and runs executing here."""
    d = ok(admin.diagnostics())
    pool = d.get("pool") or {}
    return pool.get("active") or 0, len(d.get("running") or [])


def wait_released(ids, what, timeout=90):
    return wait_for(lambda: len(released(ids)) == len(ids), timeout,
                    what="%s released (%s)" % (what, sorted(set(ids) - set(released(ids)))))


def child_of(parentId):
    return "%s.c1" % parentId


def configure():
    ok(admin.configureRuntime(maxWorkers=WORKERS, releaseAfterMs=RELEASE_AFTER_MS),
       "RUNTIME_CONFIGURED")
    make_tags()


def all_waiting_at_once():
    """Check 1: twelve runs waiting on two workers, then released."""
    t0 = time.time()
    helds = [started("wr.held") for _ in range(2)]
    for wid in helds:
        wait_for(lambda w=wid: effects(w, "a") == 1, 30, what="the held run's first step")
        ok(svc.sendCommand(wid, "HOLD", reason="hold"), "COMMAND_SENT")
    asks = [started("wr.ask") for _ in range(2)]
    recvs = [started("wr.recv") for _ in range(2)]
    sleeps = [started("t.sleeper", {"total_ms": 25000}) for _ in range(2)]
    parents = [started("wr.parent") for _ in range(2)]
    kids = [child_of(p) for p in parents]
    tagged = [started("wr.tag", {"path": BASE + "/" + name, "expected": 5}) for name in TAGS[:2]]
    everyone = helds + asks + recvs + sleeps + parents + kids + tagged
    samples = []

    def allReleased():
        samples.append(busy())
        return len(released(everyone)) == len(everyone)
    if not wait_for(allReleased, 60, every=0.2, what="fourteen runs released at once"):
        for wid in everyone:
            print("NOT RELEASED?", wid, [list(r) for r in sql(
                "SELECT status, executor_id, wait_kind, wake_ms, cmd_seq FROM %s WHERE "
                "workflow_id = ?" % STATUS, [wid])])
    checks = counter("tagChecks")
    time.sleep(3)
    checks = counter("tagChecks") - checks
    check(0 < checks <= 6, "the released tag waits' tags are read once per dispatch cycle, "
          "not once per run", checks)
    waitedS = time.time() - t0
    check(waitedS < 25, "all fourteen released before the sleepers' wake-up time", waitedS)
    check(all(threads <= WORKERS and running <= WORKERS for threads, running in samples),
          "never more than %d worker threads busy" % WORKERS, samples)
    check(all(status(w) == "HELD" for w in helds), "held runs stay HELD while released",
          [status(w) for w in helds])
    shown = ok(svc.getWorkflow(asks[0]))
    check(shown["status"] == "RUNNING", "a released run shows RUNNING", shown["status"])
    check(shown["waitingFor"] == "PROMPT" and shown["releasedMs"] and shown["wakeMs"] is None,
          "getWorkflow says what a released run waits for", shown)
    shown = ok(svc.getWorkflow(sleeps[0]))
    check(shown["waitingFor"] == "SLEEP" and shown["wakeMs"] > shown["releasedMs"],
          "and when a sleeping one wakes", shown)
    check(ok(svc.getWorkflow(helds[0]))["waitingFor"] == "HOLD", "a held one waits for RESUME")

    resumedAt = time.time()
    for wid in helds:
        ok(svc.sendCommand(wid, "RESUME"), "COMMAND_SENT")
    for wid in asks:
        ok(svc.respond(wid, "go", "yes", reason="checked"), "PROMPT_ANSWERED")
    for wid in recvs + kids:
        ok(svc.send(wid, "data", {"lot": wid}), "MESSAGE_SENT")
    write_tag(TAGS[0], 5)
    # A pulse: the value is there only until the check has seen it; the
    # woken wait returns what the check saw instead of reading again.
    write_tag(TAGS[1], 5)
    wait_for(lambda: not released([tagged[1]]), 30, every=0.01, what="the pulsed tag's run woken")
    write_tag(TAGS[1], 0)
    for wid in everyone:
        row = wait_status(wid, TERMINAL, 120)
        check(row["status"] == "SUCCESS", "a released run ends SUCCESS", wid, row)
    for wid in everyone:
        check(effects(wid, "a") == 1 and effects(wid, "b") == 1,
              "each step executed exactly once", wid, effects(wid, "a"), effects(wid, "b"))
    for wid in helds:
        endedMs = int(sql("SELECT ts FROM app_effects WHERE workflow_id = ? AND tag = 'b'",
                          [wid])[0][0])
        check(endedMs / 1000.0 - resumedAt > 1.0, "time HELD (released) did not count as "
              "sleep: the sleep went on after RESUME", endedMs / 1000.0 - resumedAt)
    check(ok(svc.getWorkflow(asks[0]))["output"] == {"value": "yes"}, "the answer came through")
    out = ok(svc.getWorkflow(parents[0]))["output"]
    check(out["out"]["msg"]["lot"] == kids[0], "the parent got its child's output", out)
    check(ok(svc.getWorkflow(recvs[0]))["output"]["msg"]["lot"] == recvs[0],
          "the message came through")
    for wid in tagged:
        out = ok(svc.getWorkflow(wid))["output"]
        check(out["value"] == 5 and out["path"].startswith(BASE),
              "a released tag wait returns the value seen", out)


def status(wid):
    return ok(svc.getWorkflow(wid))["status"]


def stop_and_cancel():
    """Check 2: STOP (onStop runs once) and cancel of released runs."""
    stopped = started("wr.stoppable")
    cancelled = started("wr.recv")
    wait_released([stopped, cancelled], "the runs to stop and cancel")
    ok(svc.sendCommand(stopped, "STOP", reason="line stop"), "COMMAND_SENT")
    ok(svc.cancel(cancelled, reason="scrapped"), "CANCEL_REQUESTED")
    row = wait_status(stopped, TERMINAL, 60)
    check(row["status"] == "STOPPED", "STOP of a released run ends it STOPPED", row)
    check(effects(stopped, "onstop") == 1 and effects(stopped, "b") == 0,
          "its onStop ran once, its body went no further")
    check(wait_status(cancelled, TERMINAL, 30)["status"] == "CANCELLED",
          "cancel of a released run ends it CANCELLED")
    time.sleep(2)
    check(status(cancelled) == "CANCELLED" and effects(cancelled, "b") == 0,
          "a cancelled released run stays cancelled")


def timeouts():
    """Check 3: released waits time out at their original deadline."""
    t0 = time.time()
    asked = started("wr.ask", {"timeout": 6, "default": "no"})
    received = started("wr.recv", {"wait_s": 6})
    awaited = started("wr.parent", {"timeout": 6})
    deadline = started("wr.recv", timeoutSeconds=6)
    tagged = started("wr.tag", {"path": BASE + "/" + TAGS[2], "expected": 7, "timeout_ms": 6000})
    ids = [asked, received, awaited, deadline, tagged]
    wait_released(ids, "the runs that time out", 30)
    for wid in ids:
        wait_status(wid, TERMINAL, 90)
    elapsed = time.time() - t0
    check(ok(svc.getWorkflow(asked))["output"] == {"value": "no"},
          "a released prompt times out with its default", ok(svc.getWorkflow(asked)))
    check(ok(svc.getWorkflow(received))["output"] == {"msg": None},
          "a released receive times out with None", ok(svc.getWorkflow(received)))
    check(ok(svc.getWorkflow(awaited))["output"]["out"] == "timed out",
          "a released awaitChild raises ChildTimedOut", ok(svc.getWorkflow(awaited)))
    row = ok(svc.getWorkflow(deadline))
    check(row["status"] == "ERROR" and row["error"]["type"] == "WorkflowTimedOut",
          "a released run past its deadline ends ERROR (timed out)", row)
    out = ok(svc.getWorkflow(tagged))["output"]
    check("WaitTimeout" in out.get("message", "") and "within 6000 ms" in out.get("message", ""),
          "a released tag wait fails with WaitTimeout", out)
    # Generous: what must not happen is a timeout started again at each wake.
    check(elapsed < 60, "the timeouts were not restarted by the wake", elapsed)
    ok(svc.cancel(child_of(awaited), reason="done"), "CANCEL_REQUESTED")


mode = sys.argv[1] if len(sys.argv) > 1 else "main"
if mode == "lib":
    pass  # imported for its workflows
elif mode == "crash-start":
    configure()
    helds = [started("wr.held")]
    wait_for(lambda: effects(helds[0], "a") == 1, 30, what="the held run's first step")
    ok(svc.sendCommand(helds[0], "HOLD"), "COMMAND_SENT")
    asks = [started("wr.ask")]
    recvs = [started("wr.recv")]
    sleeps = [started("t.sleeper", {"total_ms": 15000})]
    tagged = [started("wr.tag", {"path": BASE + "/" + TAGS[3], "expected": 3})]
    waking = started("wr.recv", {"then_sleep_ms": 4000})
    ids = helds + asks + recvs + sleeps + tagged + [waking]
    wait_released(ids, "the runs before the crash")
    # A wake in progress when the gateway dies: woken, sleeping after its receive.
    ok(svc.send(waking, "data", {"lot": 1}), "MESSAGE_SENT")
    wait_for(lambda: not released([waking]), 30, what="the run being woken")
    print("READY " + json.dumps({"held": helds, "ask": asks, "recv": recvs, "sleep": sleeps,
                                 "tag": tagged, "waking": waking}))
    sys.stdout.flush()
    time.sleep(600)  # killed by the test
elif mode == "takeover-start":
    # Gateway A: leaves a held run and a tag wait released, then is killed.
    ok(admin.configureRuntime(leaseSeconds=4), "RUNTIME_CONFIGURED")
    configure()
    helds = [started("wr.held")]
    wait_for(lambda: effects(helds[0], "a") == 1, 30, what="the held run's first step")
    ok(svc.sendCommand(helds[0], "HOLD"), "COMMAND_SENT")
    tagged = [started("wr.tag", {"path": BASE + "/" + TAGS[3], "expected": 4})]
    wait_released(helds + tagged, "gateway A's runs")
    print("READY " + json.dumps({"held": helds, "tag": tagged}))
    sys.stdout.flush()
    time.sleep(600)  # killed by the test
elif mode == "takeover-check":
    # Gateway B: takes over A's tag checks once A's lease expired, and wakes
    # A's released runs as its own.
    ok(admin.configureRuntime(leaseSeconds=4), "RUNTIME_CONFIGURED")
    configure()
    runs = json.loads(sys.argv[2])
    me = identity.executorId()
    wait_for(lambda: int(sql("SELECT COUNT(*) FROM %s WHERE workflow_id = ? AND wait_checker = ?"
                             % STATUS, [runs["tag"][0], me])[0][0]) == 1, 60,
             what="gateway B to check the dead gateway's tag wait")
    write_tag(TAGS[3], 4)
    ok(svc.sendCommand(runs["held"][0], "RESUME"), "COMMAND_SENT")
    for wid in runs["held"] + runs["tag"]:
        row = wait_status(wid, TERMINAL, 120)
        check(row["status"] == "SUCCESS", "a run released by a dead gateway ends SUCCESS here",
              wid, row)
        check(effects(wid, "a") == 1 and effects(wid, "b") == 1, "no step executed twice", wid)
    check(ok(svc.getWorkflow(runs["tag"][0]))["output"]["value"] == 4,
          "the tag wait saw the value written on this gateway")
    finish()
elif mode == "crash-check":
    configure()
    runs = json.loads(sys.argv[2])
    for wid in runs["held"]:
        ok(svc.sendCommand(wid, "RESUME"), "COMMAND_SENT")
    for wid in runs["ask"]:
        ok(svc.respond(wid, "go", "yes"), "PROMPT_ANSWERED")
    for wid in runs["recv"]:
        ok(svc.send(wid, "data", {"lot": 2}), "MESSAGE_SENT")
    write_tag(TAGS[3], 3)
    everyone = (runs["held"] + runs["ask"] + runs["recv"] + runs["sleep"] + runs["tag"]
                + [runs["waking"]])
    for wid in everyone:
        row = wait_status(wid, TERMINAL, 150)
        check(row["status"] == "SUCCESS", "a run released before the crash ends SUCCESS", wid, row)
        check(effects(wid, "a") == 1 and effects(wid, "b") == 1, "no step executed twice",
              wid, effects(wid, "a"), effects(wid, "b"))
    check(ok(svc.getWorkflow(runs["waking"]))["output"]["msg"]["lot"] == 1,
          "the message taken before the crash is the one received",
          ok(svc.getWorkflow(runs["waking"]))["output"])
    finish()
else:
    configure()
    all_waiting_at_once()
    stop_and_cancel()
    timeouts()
    finish()
