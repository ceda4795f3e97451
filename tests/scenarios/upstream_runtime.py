"""Issue 13 P4: the workflow-side rt methods of ignition-workflows 0.3.6,
written in its style (imports from engine.runtime and engine.instance).

    upstream_runtime.py            events, streams and progress inside steps,
                                   a retried step, cancel and timeout inside
                                   a step, send/recv between two runs
    upstream_runtime.py start      phase 1 of the crash test: a step killed
                                   mid-way, a send and a receive recorded;
                                   prints READY and waits for SIGKILL
    upstream_runtime.py middle F   phase 2 (after restart): the step ran again
                                   without duplicates; waits for a 2nd SIGKILL
                                   in the durable sleep after it
    upstream_runtime.py check F    phase 3: the replayed step wrote nothing
"""
from __future__ import print_function

import json
import sys
import time

from exchange.workflows.engine.instance import getWorkflows
from exchange.workflows.engine.runtime import step, workflow
from exchange.workflows.steps.sleep import sleep_chunked

import flows
import wfkit
from wfkit import check, finish, ok, sql, started, svc, wait_for, wait_status

MODE = sys.argv[1] if len(sys.argv) > 1 else "main"
BEFORE = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
# Only phase 1 parks the crash step until the gateway is killed.
PARK_IN_STEP = MODE == "start"
ATTEMPTS = {}
SEEN = []


@step(name="u4.emit")
def emit(n):
    rt = getWorkflows()
    offset = None
    for i in range(n):
        rt.setEvent("phase", {"i": i})
        offset = rt.writeStream("log", {"i": i})
        rt.progress("emitted %d" % i, extra={"i": i})
    return offset


@workflow(name="u4.writer")
def writer(n=3):
    rt = getWorkflows()
    stepOffset = emit(n)
    nativeOffset = rt.writeStream("log", "done")
    rt.setEvent("phase", "done")
    rt.progress("body done")
    return {"stepOffset": stepOffset, "nativeOffset": nativeOffset}


@step(name="u4.flaky", options={"retries_allowed": True, "max_attempts": 3,
                                "interval_seconds": 0.1, "backoff_rate": 1})
def flaky(key):
    rt = getWorkflows()
    for i in range(3):
        rt.writeStream("retry", {"i": i})
    ATTEMPTS[key] = ATTEMPTS.get(key, 0) + 1
    if ATTEMPTS[key] < 2:
        raise ValueError("the first attempt fails after writing")
    return ATTEMPTS[key]


@workflow(name="u4.retrier")
def retrier(key):
    return flaky(key)


@step(name="u4.spin")
def spin(limit_s, watch):
    rt = getWorkflows()
    end = time.time() + limit_s
    while time.time() < end:
        if watch and rt.isCancelled():
            SEEN.append("isCancelled")
            rt.checkCancelled()
            SEEN.append("checkCancelled returned")
        if not watch:
            rt.checkCancelled()
        time.sleep(0.05)
    return "ran out"


@workflow(name="u4.spinner")
def spinner(limit_s=90, watch=False):
    return spin(limit_s, watch)


@step(name="u4.overtime")
def overtime(limit_s):
    rt = getWorkflows()
    end = time.time() + limit_s
    while time.time() < end:
        rt.checkTimeout()
        time.sleep(0.05)
    return "ran out"


@workflow(name="u4.late")
def late(limit_s=90):
    return overtime(limit_s)


@workflow(name="u4.receiver")
def receiver(topic="chat", wait_s=60, nap_ms=0):
    rt = getWorkflows()
    msg = rt.recv(topic, wait_s)
    if nap_ms:
        sleep_chunked(total_ms=nap_ms, chunk_ms=50)
    return {"msg": msg, "again": rt.recv(topic, 0)}


@workflow(name="u4.sender")
def sender(to, topic="chat", nap_ms=0):
    rt = getWorkflows()
    sent = rt.send(to, {"hello": to}, topic=topic)
    if nap_ms:
        sleep_chunked(total_ms=nap_ms, chunk_ms=50)
    return {"sent": sent}


@step(name="u4.crashstep")
def crashstep(n):
    rt = getWorkflows()
    for i in range(n):
        rt.writeStream("crash", {"i": i})
        rt.setEvent("crash.last", i)
    if PARK_IN_STEP:
        print("INSTEP")
        sys.stdout.flush()
        time.sleep(300)
    return n


@workflow(name="u4.crashy")
def crashy(n=3, nap_ms=8000):
    crashstep(n)
    sleep_chunked(total_ms=nap_ms, chunk_ms=50)
    return {"n": n}


def streamRows(wid, key):
    return [(int(r[0]), int(r[1]), json.loads(r[2]), int(r[3])) for r in sql(
        "SELECT stream_offset, sub_offset, value, created_ms FROM " + flows._table("streams")
        + " WHERE workflow_id = ? AND stream_key = ? ORDER BY stream_offset, sub_offset",
        [wid, key])]


def historyRows(wid):
    return [(int(r[0]), int(r[1]), r[2], json.loads(r[3])) for r in sql(
        "SELECT function_id, sub_offset, event_key, value FROM " + flows._table("eventHistory")
        + " WHERE workflow_id = ? ORDER BY function_id, sub_offset", [wid])]


def mailCount(wid, topic):
    return int(sql("SELECT COUNT(*) FROM " + flows._table("mail")
                   + " WHERE workflow_id = ? AND topic = ?", [wid, topic])[0][0])


def stepNames(wid):
    return [s["functionName"] for s in svc.getSteps(wid)["data"]]


def main():
    # Events, streams and progress inside a step; the body's own writes after it.
    wid = started("u4.writer", {"n": 3})
    row = wait_status(wid, "SUCCESS", 30)
    check(row["output"] == {"stepOffset": 0, "nativeOffset": 1},
          "writeStream returns the offset (the step's id inside it)", row)
    check((row.get("progress") or {}).get("message") == "body done", "progress", row.get("progress"))
    values = [(o, s, v) for o, s, v, _ in streamRows(wid, "log")]
    check(values == [(0, 1, {"i": 0}), (0, 2, {"i": 1}), (0, 3, {"i": 2}), (1, 0, "done")],
          "in-step values numbered by subOffset under the step's offset", values)
    history = historyRows(wid)
    # One numbering for all of a step's events (each rt.progress of this
    # upstream-profile workflow also sets phase.last_message).
    check([h for h in history if h[2] == "phase"] == [
        (0, 1, "phase", {"i": 0}), (0, 3, "phase", {"i": 1}), (0, 5, "phase", {"i": 2}),
        (2, 0, "phase", "done")], "event history keeps in-step values in order", history)
    # The upstream profile's progress also sets phase.last_message, as 0.3.6's did.
    last = [(f, s, v["message"], v.get("extra")) for f, s, k, v in history
            if k == "phase.last_message"]
    check(last == [(0, 2, "emitted 0", {"i": 0}), (0, 4, "emitted 1", {"i": 1}),
                   (0, 6, "emitted 2", {"i": 2}), (3, 0, "body done", None)],
          "progress publishes phase.last_message in steps and in the body", last)
    events = ok(svc.getEvents(wid))
    check(events.get("phase") == "done", "latest event value", events)
    read = ok(svc.readStream(wid, "log"))
    check([r["value"] for r in read] == [{"i": 0}, {"i": 1}, {"i": 2}, "done"],
          "readStream returns in-step values in order", read)
    check(stepNames(wid) == ["u4.emit", "rt.writeStream", "rt.setEvent", "rt.setEvent"],
          "in-step writes take no operation id", stepNames(wid))

    # A retried attempt writes the same keys again: no duplicates.
    wid = started("u4.retrier", {"key": "r1"})
    row = wait_status(wid, "SUCCESS", 30)
    check(row["output"] == 2, "second attempt succeeds", row)
    values = [(o, s, v) for o, s, v, _ in streamRows(wid, "retry")]
    check(values == [(0, 1, {"i": 0}), (0, 2, {"i": 1}), (0, 3, {"i": 2})],
          "a retried step leaves one copy per (step, k)", values)

    # Cancel reaches a step that loops on checkCancelled (and isCancelled).
    for watch in (False, True):
        wid = started("u4.spinner", {"watch": watch})
        wait_status(wid, "RUNNING", 20)
        time.sleep(0.5)
        ok(svc.cancel(wid, "operator"), "CANCEL_REQUESTED")
        row = wait_status(wid, ("CANCELLED", "SUCCESS", "ERROR"), 30)
        check(row["status"] == "CANCELLED", "cancel ends an in-step loop CANCELLED", row)
        if watch:
            # The run is CANCELLED in the database at once; its thread sees it next.
            wait_for(lambda: SEEN, 20, what="the step to see the cancel")
        time.sleep(0.5)
        check(stepNames(wid) == [], "the cancelled step recorded nothing", stepNames(wid))
    check(SEEN == ["isCancelled"], "isCancelled sees the cancel; checkCancelled then raises",
          SEEN)

    # A timeout inside a step.
    wid = started("u4.late", {}, timeoutSeconds=1)
    row = wait_status(wid, ("ERROR", "SUCCESS", "CANCELLED"), 30)
    check(row["status"] == "ERROR" and (row.get("error") or {}).get("type") == "WorkflowTimedOut",
          "checkTimeout inside a step ends the run ERROR timed out", row)

    # send/recv between two runs, exactly once.
    rid = started("u4.receiver", {"topic": "chat", "wait_s": 60})
    sid = started("u4.sender", {"to": rid, "topic": "chat"})
    row = wait_status(rid, "SUCCESS", 30)
    check(row["output"]["msg"] == {"hello": rid, "seq": 1} and row["output"]["again"] is None,
          "recv returns the message as sent, once", row["output"])
    check(wait_status(sid, "SUCCESS", 30)["output"] == {"sent": True}, "send reports delivery")
    check(mailCount(rid, "chat") == 1, "one message posted")
    check(getWorkflows().recv("chat") is None, "recv outside a run returns None")
    finish()


def start():
    wid = started("u4.crashy", {"n": 3, "nap_ms": 8000})
    rid = started("u4.receiver", {"topic": "chat", "wait_s": 60, "nap_ms": 8000})
    sid = started("u4.sender", {"to": rid, "topic": "chat", "nap_ms": 8000})
    wait_for(lambda: len(streamRows(wid, "crash")) == 3, 30, what="the crash step's writes")
    wait_for(lambda: "rt.send" in stepNames(sid) and "sleep.sleep_chunked" in stepNames(sid),
             30, what="the send recorded")
    wait_for(lambda: "rt.recv:chat" in stepNames(rid) and len(stepNames(rid)) >= 2, 30,
             what="the receive recorded")
    facts = {"crashy": wid, "receiver": rid, "sender": sid,
             "firstWrites": [r[3] for r in streamRows(wid, "crash")]}
    check(stepNames(wid) == [], "the crash step has not finished")
    if wfkit.failures:
        finish()
    print("READY " + json.dumps(facts))
    sys.stdout.flush()
    time.sleep(300)


def middle():
    wid = BEFORE["crashy"]
    wait_for(lambda: "sleep.sleep_chunked" in stepNames(wid), 60,
             what="the crash step to run again and the sleep to start")
    rows = streamRows(wid, "crash")
    check([(o, s, v) for o, s, v, _ in rows] == [(0, 1, {"i": 0}), (0, 2, {"i": 1}),
                                                 (0, 3, {"i": 2})],
          "a step run again after a crash leaves one copy per (step, k)", rows)
    check(all(r[3] >= t for r, t in zip(rows, BEFORE["firstWrites"])),
          "the step's writes were made again", rows, BEFORE["firstWrites"])
    check([(f, s) for f, s, _, _ in historyRows(wid)] == [(0, 1), (0, 2), (0, 3)],
          "event history: one row per (step, k)", historyRows(wid))
    # The send and the receive were recorded before the crash: not repeated.
    row = wait_status(BEFORE["receiver"], "SUCCESS", 60)
    check(row["output"]["msg"] == {"hello": BEFORE["receiver"], "seq": 1}
          and row["output"]["again"] is None, "the recorded receive replays", row["output"])
    check(wait_status(BEFORE["sender"], "SUCCESS", 60)["output"] == {"sent": True},
          "sender completes")
    check(mailCount(BEFORE["receiver"], "chat") == 1, "the send was not repeated on replay")
    facts = {"crashy": wid, "rows": rows}
    print("READY2 " + json.dumps(facts))
    sys.stdout.flush()
    if wfkit.failures:
        finish()
    time.sleep(300)


def final():
    wid = BEFORE["crashy"]
    row = wait_status(wid, "SUCCESS", 60)
    check(row["output"] == {"n": 3}, "the run completes", row)
    rows = [list(r) for r in streamRows(wid, "crash")]
    check(rows == BEFORE["rows"], "replaying the finished step wrote nothing", rows, BEFORE["rows"])
    finish()


{"main": main, "start": start, "middle": middle, "check": final}[MODE]()
