"""Operator prompts and messages (issue 12 item 4) through tools/gwsim on
real Jython: rt.ask answered through service.respond (who answered is
recorded and audited, and in the batch record), choices enforced, timeouts
with and without a default, HOLD / STOP / ABORT / cancel while a run waits,
a resumed run asking again, listPrompts, service.send into rt.recv; and, across a SIGKILL, a prompt answered after the restart,
an answer and a received message that replay without asking or receiving
again, and an rt.send that is not posted twice.

Modes (argv[1]):
    none            the in-gateway checks
    crash-start     leaves runs waiting / past their answer or receive,
                    prints READY <json>, waits to be killed
    crash-check J   the restarted gateway (same name) finishes them
    host            starts a run that asks, prints READY <json>, waits for
                    it to end (another gateway answers), prints RESULT
    answer J        answers the host's prompt from this (second) gateway
"""
from __future__ import print_function

import json
import sys
import time

import flows
import gwsim
import exchange.workflows.api.security as security
from exchange.workflows.bootstrap import getWorkflows, workflow
from exchange.workflows.core.errors import PromptTimedOut
from exchange.workflows.steps.sleep import sleep_chunked
from wfkit import (TERMINAL, bad, check, finish, ok, sql, started, svc, wait_for,
                   wait_status)

QUESTION = "Release lot to filling?"


@workflow(name="pr.ask")
def ask_flow(key="go", choices=None, default=None, timeout=None, sleep_ms=0):
    rt = getWorkflows()
    try:
        value = rt.ask(key, QUESTION, choices=choices, default=default, timeoutSeconds=timeout)
    except PromptTimedOut as e:
        return {"timedOut": True, "key": e.key}
    if sleep_ms:
        sleep_chunked(total_ms=sleep_ms, chunk_ms=50)
    return {"value": value}


@workflow(name="pr.twice")
def twice():
    rt = getWorkflows()
    first = rt.ask("step", "First?", choices=["a", "b"])
    second = rt.ask("step", "Second?", choices=["c", "d"])
    return {"first": first, "second": second}


@workflow(name="pr.recv")
def recv_flow(sleep_ms=0, wait_s=60):
    msg = getWorkflows().recv("data", wait_s)
    if sleep_ms:
        sleep_chunked(total_ms=sleep_ms, chunk_ms=50)
    return {"message": msg}


@workflow(name="pr.send")
def send_flow(dest, sleep_ms=0):
    sent = getWorkflows().send(dest, {"lot": 42}, topic="data")
    if sleep_ms:
        sleep_chunked(total_ms=sleep_ms, chunk_ms=50)
    return {"sent": sent}


def pending(wid, key=None):
    rows = ok(svc.listPrompts(workflowId=wid), "PROMPTS_LISTED")["rows"]
    return [r for r in rows if key is None or r["key"] == key]


def asked(wid, key="go", timeout=30):
    """Waits until the run's prompt ``key`` is pending; returns its listing."""
    rows = wait_for(lambda: pending(wid, key), timeout, what="%s to ask %r" % (wid, key))
    return rows[0] if rows else {}


def steps(wid):
    return ok(svc.getSteps(wid), "STEPS_LISTED") or []


def recorded(wid, name):
    return [s for s in steps(wid) if s["functionName"] == name]


def prompt_rows(wid):
    return [tuple(r) for r in sql("SELECT prompt_key, status, answered_by FROM %s WHERE "
                                  "workflow_id = ? ORDER BY function_id"
                                  % flows._table("prompts"), [wid])]


def ended(wid, timeout=30):
    return wait_status(wid, TERMINAL, timeout)


def answered_and_recorded(operator):
    wid = started("pr.ask", {"choices": ["yes", "no", 3]})
    listed = asked(wid)
    check(listed.get("workflowName") == "pr.ask" and listed.get("prompt") == QUESTION
          and listed.get("choices") == ["yes", "no", 3] and listed.get("default") is None
          and listed.get("timeoutMs") is None and listed.get("createdMs") > 0
          and listed.get("runStatus") == "RUNNING", "listPrompts shows the prompt", listed)
    byName = ok(svc.listPrompts(workflowName="pr.ask"), "PROMPTS_LISTED")
    check(any(r["workflowId"] == wid for r in byName["rows"]) and byName["total"] >= 1,
          "listPrompts filters by workflow name", byName)
    other = ok(svc.listPrompts(workflowName="pr.recv"), "PROMPTS_LISTED")
    check(not any(r["workflowId"] == wid for r in other["rows"]), "another name lists none")

    bad(svc.respond(wid, "go", "maybe", session=operator), "INVALID_ARGUMENTS", "not a choice")
    bad(svc.respond(wid, "go", True, session=operator), "INVALID_ARGUMENTS", "True is not 3")
    bad(svc.respond(wid, "nope", "yes", session=operator), "PROMPT_NOT_PENDING", "unknown key")
    bad(svc.respond("no-such-run", "go", "yes", session=operator), "WORKFLOW_NOT_FOUND")
    bad(svc.respond(wid, "go", 3, session=gwsim.openSession("viewer1", ["Viewer"])),
        "NOT_AUTHORIZED", "a viewer may not answer")
    bad(svc.respond(wid, None, 3, session=operator), "INVALID_ARGUMENTS", "no key")
    check(status_of(wid) == "RUNNING" and pending(wid, "go"), "refused answers change nothing")
    # 3.0 is the choice 3 as JSON values compare; the run receives the choice itself.
    data = ok(svc.respond(wid, "go", 3.0, reason="lab released it", session=operator),
              "PROMPT_ANSWERED")
    check(data and data["answeredBy"] == "op1" and data["value"] == 3, "answer data", data)
    bad(svc.respond(wid, "go", "yes", session=operator), "PROMPT_NOT_PENDING", "answered twice")
    done = ended(wid)
    check(done["status"] == "SUCCESS" and done["output"] == {"value": 3},
          "answered: the run ends SUCCESS with the value", done)
    rec = recorded(wid, "rt.ask:go")
    out = rec[0]["output"] if rec else {}
    check(out.get("by") == "op1" and out.get("source") == "perspective"
          and out.get("reason") == "lab released it" and out.get("value") == 3,
          "the answer, who gave it and why are the operation's record", rec)
    check(prompt_rows(wid) == [("go", "ANSWERED", "op1")], "the prompt row", prompt_rows(wid))
    audits = ok(security.listAudit(workflowId=wid, action="operate"), "AUDIT_LISTED")["rows"]
    answers = [a for a in audits if a["code"] == "PROMPT_ANSWERED"]
    check(len(answers) == 1 and answers[0]["userName"] == "op1"
          and answers[0]["detail"] == {"key": "go"} and answers[0]["reason"] == "lab released it",
          "the answer is audited with its key, not its value", audits)
    check(not pending(wid), "an answered prompt is not listed")
    record = json.loads(ok(svc.exportRun(wid, "json"), "RUN_EXPORTED")["content"])
    asked_ = record.get("prompts") or [{}]
    check(len(asked_) == 1 and asked_[0].get("prompt") == QUESTION
          and asked_[0].get("answer") == 3 and asked_[0].get("answeredBy") == "op1"
          and asked_[0].get("answerReason") == "lab released it"
          and asked_[0].get("status") == "ANSWERED", "the batch record holds the prompt", asked_)
    table = ok(svc.exportRun(wid, "csv"), "RUN_EXPORTED")["content"]
    check(",answer,go,3,op1,lab released it\r\n" in table and ",prompt,go," in table,
          "the CSV timeline has the question and the answer with who and why", table)


def status_of(wid):
    return svc.getWorkflow(wid)["data"]["status"]


def same_key_twice(operator):
    wid = started("pr.twice")
    asked(wid, "step")
    bad(svc.respond(wid, "step", "c", session=operator), "INVALID_ARGUMENTS", "first's choices")
    ok(svc.respond(wid, "step", "b", session=operator), "PROMPT_ANSWERED")
    second = wait_for(lambda: [r for r in pending(wid, "step") if r["prompt"] == "Second?"], 30,
                      what="the second prompt of the same key")
    check(bool(second) and second[0]["choices"] == ["c", "d"], "the key is asked again", second)
    ok(svc.respond(wid, "step", "d", session=operator), "PROMPT_ANSWERED")
    done = ended(wid)
    check(done["output"] == {"first": "b", "second": "d"}, "one key asked twice", done)


def timeouts():
    withDefault = started("pr.ask", {"choices": ["go", "wait"], "default": "wait", "timeout": 1})
    without = started("pr.ask", {"timeout": 1})
    listed = asked(withDefault)
    check(listed.get("default") == "wait" and listed.get("timeoutMs") == 1000,
          "the listing shows the default and the timeout", listed)
    done = ended(withDefault)
    check(done["status"] == "SUCCESS" and done["output"] == {"value": "wait"},
          "timeout with a default: the default", done)
    rec = recorded(withDefault, "rt.ask:go")
    check(rec and rec[0]["output"].get("timedOut") is True, "recorded with timedOut", rec)
    check(prompt_rows(withDefault) == [("go", "TIMED_OUT", None)], "row TIMED_OUT",
          prompt_rows(withDefault))
    done = ended(without)
    check(done["status"] == "SUCCESS" and done["output"] == {"timedOut": True, "key": "go"},
          "timeout without a default: PromptTimedOut, caught by the workflow", done)
    rec = recorded(without, "rt.ask:go")
    check(rec and (rec[0]["error"] or {}).get("type") == "PromptTimedOut",
          "the timeout is the operation's recorded error", rec)
    bad(svc.respond(without, "go", "late"), "PROMPT_NOT_PENDING", "answer after the timeout")
    wrong = ended(started("pr.ask", {"choices": ["a"], "default": "b"}))
    check(wrong["status"] == "ERROR" and (wrong["error"] or {}).get("type") == "InvalidArguments",
          "a default that is not a choice is refused to the workflow", wrong)


def hold_while_waiting(operator):
    wid = started("pr.ask", {"choices": ["yes", "no"], "default": "no", "timeout": 4})
    asked(wid)
    ok(svc.sendCommand(wid, "HOLD", reason="shift change"), "COMMAND_SENT")
    held = wait_status(wid, "HELD", 15)
    check(held["status"] == "HELD", "HOLD parks a run waiting for its answer", held)
    listed = pending(wid, "go")
    check(bool(listed) and listed[0]["runStatus"] == "HELD", "a HELD run's prompt is listed",
          listed)
    # Held past the prompt's timeout: time held does not count.
    time.sleep(5)
    ok(svc.respond(wid, "go", "yes", session=operator), "PROMPT_ANSWERED", "answered while HELD")
    time.sleep(0.5)
    check(status_of(wid) == "HELD", "the answer does not resume a HELD run")
    ok(svc.sendCommand(wid, "RESUME"), "COMMAND_SENT")
    done = ended(wid)
    check(done["status"] == "SUCCESS" and done["output"] == {"value": "yes"},
          "the answer given while HELD is used after RESUME", done)


def stop_abort_and_cancel_while_waiting(operator):
    stopped, aborted, cancelled = started("pr.ask"), started("pr.ask"), started("pr.ask")
    for wid in (stopped, aborted, cancelled):
        asked(wid)
    ok(svc.sendCommand(stopped, "STOP", reason="batch aborted by QA"), "COMMAND_SENT")
    ok(svc.sendCommand(aborted, "ABORT", reason="leak"), "COMMAND_SENT")
    ok(svc.cancel(cancelled, reason="wrong recipe"), "CANCEL_REQUESTED")
    check(ended(stopped)["status"] == "STOPPED", "STOP while waiting: STOPPED")
    check(ended(aborted)["status"] == "ABORTED", "ABORT while waiting: ABORTED")
    check(ended(cancelled)["status"] == "CANCELLED", "cancel while waiting: CANCELLED")
    for wid in (stopped, aborted, cancelled):
        check(not pending(wid), "an ended run's prompt is not listed", wid)
        wait_for(lambda w=wid: prompt_rows(w) == [("go", "CLOSED", None)], 15,
                 what="%s's prompt to be closed" % wid)
        bad(svc.respond(wid, "go", "x"), "PROMPT_NOT_PENDING", "an ended run's prompt")
    # A resumed run asks its question again, and takes the answer.
    ok(svc.resume(cancelled, reason="right recipe after all"), "WORKFLOW_RESUMED")
    asked(cancelled)
    ok(svc.respond(cancelled, "go", "again", session=operator), "PROMPT_ANSWERED")
    done = ended(cancelled)
    check(done["status"] == "SUCCESS" and done["output"] == {"value": "again"},
          "a run resumed while its prompt was closed asks again and takes the answer", done)
    check(prompt_rows(cancelled) == [("go", "ANSWERED", "op1")], "the same prompt row reopened",
          prompt_rows(cancelled))


def messages(operator):
    wid = started("pr.recv")
    wait_for(lambda: status_of(wid) == "RUNNING", 15, what="the receiver to run")
    bad(svc.send(wid, "cmd", {"cmd": "HOLD"}, session=operator), "INVALID_ARGUMENTS",
        "topic cmd is for sendCommand")
    bad(svc.send(wid, None, {"x": 1}, session=operator), "INVALID_ARGUMENTS", "no topic")
    bad(svc.send("no-such-run", "data", 1, session=operator), "WORKFLOW_NOT_FOUND")
    data = ok(svc.send(wid, "data", {"lot": 7, "grade": "A"}, reason="from LIMS",
                       session=operator), "MESSAGE_SENT")
    check(data and data["topic"] == "data" and data["seq"] >= 1, "send answer", data)
    done = ended(wid)
    check(done["status"] == "SUCCESS" and done["output"]["message"].get("lot") == 7
          and done["output"]["message"].get("seq") == data["seq"],
          "rt.recv receives the message as sent, with its seq", done)
    cmds = ok(svc.getCommands(wid), "COMMANDS_LISTED")
    mine = [c for c in cmds if c["topic"] == "data"]
    check(len(mine) == 1 and mine[0]["sender"] == "op1" and mine[0]["reason"] == "from LIMS"
          and mine[0]["consumedBy"] == "workflow", "sender, reason, consumed once", cmds)
    bad(svc.send(wid, "data", 1, session=operator), "WORKFLOW_ALREADY_FINISHED")
    audits = ok(security.listAudit(workflowId=wid, action="operate"), "AUDIT_LISTED")["rows"]
    check([a["detail"] for a in audits if a["code"] == "MESSAGE_SENT"] == [{"topic": "data"}],
          "the send is audited with its topic", audits)


def in_gateway():
    flows.ensure_tables()
    operator = gwsim.openSession("op1", ["Operator"])
    answered_and_recorded(operator)
    same_key_twice(operator)
    timeouts()
    hold_while_waiting(operator)
    stop_abort_and_cancel_while_waiting(operator)
    messages(operator)
    finish()


# -- across a SIGKILL ----------------------------------------------------------------------------
SLEEP_MS = 3000


def crash_start():
    flows.ensure_tables()
    waiting = started("pr.ask", {"choices": ["yes", "no"]})
    answered = started("pr.ask", {"choices": ["yes", "no"], "sleep_ms": SLEEP_MS})
    receiver = started("pr.recv", {"sleep_ms": SLEEP_MS})
    sender = started("pr.send", {"dest": receiver, "sleep_ms": SLEEP_MS})
    asked(waiting)
    asked(answered)
    ok(svc.respond(answered, "go", "no"), "PROMPT_ANSWERED")
    for wid, name in ((answered, "rt.ask:go"), (receiver, "rt.recv:data"), (sender, "rt.send")):
        wait_for(lambda w=wid, n=name: recorded(w, n), 30, what="%s to record %s" % (wid, name))
    print("READY " + json.dumps({"waiting": waiting, "answered": answered, "receiver": receiver,
                                 "sender": sender}))
    sys.stdout.flush()
    time.sleep(300)


def crash_check(ids):
    operator = gwsim.openSession("op1", ["Operator"])
    waiting = ids["waiting"]
    listed = asked(waiting, timeout=60)
    check(bool(listed), "the prompt is pending again after the restart", listed)
    ok(svc.respond(waiting, "go", "yes", session=operator), "PROMPT_ANSWERED")
    done = ended(waiting, 60)
    check(done["status"] == "SUCCESS" and done["output"] == {"value": "yes"},
          "answered after the restart: SUCCESS with the value", done)
    rec = recorded(waiting, "rt.ask:go")
    check(rec and rec[0]["output"].get("by") == "op1", "answeredBy recorded", rec)
    check(prompt_rows(waiting) == [("go", "ANSWERED", "op1")], "one prompt row",
          prompt_rows(waiting))

    answered = ids["answered"]
    done = ended(answered, 60)
    check(done["status"] == "SUCCESS" and done["output"] == {"value": "no"},
          "an answer recorded before the crash is replayed", done)
    check(prompt_rows(answered) == [("go", "ANSWERED", "gateway")] and
          len(recorded(answered, "rt.ask:go")) == 1, "the replay did not ask again",
          prompt_rows(answered))

    receiver, sender = ids["receiver"], ids["sender"]
    for wid in (receiver, sender):
        check(ended(wid, 60)["status"] == "SUCCESS", "%s ends SUCCESS after the restart" % wid)
    got = svc.getWorkflow(receiver)["data"]["output"]["message"]
    check(got.get("lot") == 42, "the receiver's replay returns the message received", got)
    mail = [c for c in ok(svc.getCommands(receiver), "COMMANDS_LISTED") if c["topic"] == "data"]
    check(len(mail) == 1 and mail[0]["consumedBy"] == "workflow" and mail[0]["seq"] == got["seq"],
          "one message posted (the sender's replay did not post again), received once", mail)
    check(len(recorded(sender, "rt.send")) == 1 and len(recorded(receiver, "rt.recv:data")) == 1,
          "one send and one receive recorded")
    finish()


# -- two gateways on one database ----------------------------------------------------------------
def host():
    flows.ensure_tables()
    wid = started("pr.ask", {"choices": ["left", "right"]})
    asked(wid)
    print("READY " + json.dumps({"workflowId": wid}))
    sys.stdout.flush()
    done = ended(wid, 120)
    check(done["status"] == "SUCCESS" and done["output"] == {"value": "right"},
          "answered from another gateway: SUCCESS with the value", done)
    check(done["executorId"].split("/")[0] == gwsim_name(), "it ran here", done["executorId"])
    rec = recorded(wid, "rt.ask:go")
    check(rec and rec[0]["output"].get("by") == "op2", "who answered is recorded", rec)
    finish()


def gwsim_name():
    from exchange.workflows.engine import identity
    return identity.executorId().split("/")[0]


def answer(ids):
    wid = ids["workflowId"]
    listed = asked(wid)
    check(listed.get("runStatus") == "RUNNING", "the other gateway lists the prompt", listed)
    ok(svc.respond(wid, "go", "right", session=gwsim.openSession("op2", ["Operator"])),
       "PROMPT_ANSWERED")
    finish()


MODES = {"crash-start": crash_start, "crash-check": lambda: crash_check(json.loads(sys.argv[2])),
         "host": host, "answer": lambda: answer(json.loads(sys.argv[2]))}
MODES.get(sys.argv[1] if len(sys.argv) > 1 else None, in_gateway)()
