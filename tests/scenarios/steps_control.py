# Step library scenario: waits as safe points (HOLD/RESUME/STOP/cancel/workflow timeout during a
# long tag wait) and write_confirm against simulated devices (a slow actuator, a jammed one).
# Run: tools/gwsim exec [--db JDBC_URL] tests/scenarios/steps_control.py
# Prints `RESULT {"ok": ..., "failures": [...], "facts": {...}}` last.
from __future__ import print_function

import time

import gwsim

from exchange.workflows.api import admin, service
from steps_flows import BASE, Checks, finished, getRun, setup, startFlow, steps, waitStatus

POLL_MS = 100
# A command must take effect within one poll; allow for the status write and our own polling.
LATENCY_S = 0.8
c = Checks()
setup()
slowDevice = gwsim.devices.follow(BASE + "/Sp", BASE + "/Pv", 700)
jammed = gwsim.devices.stuck(BASE + "/Jammed")
never = BASE + "/Never"
ids = {}


def longWait(path=never, timeout_ms=60000, options=None):
    return startFlow("t.steps.wait", options, path=path, expected=1, timeout_ms=timeout_ms,
                     poll_ms=POLL_MS)


def startAll():
    ids["slow"] = startFlow("t.steps.confirm", path=BASE + "/Sp", value=42.5,
                            confirm_path=BASE + "/Pv", timeout_ms=5000, poll_ms=50)
    ids["jammed"] = startFlow("t.steps.confirm", path=BASE + "/Jammed", value=5, timeout_ms=800,
                              poll_ms=50)
    ids["hold"] = longWait(BASE + "/HoldMe")
    ids["holdTimeout"] = longWait(BASE + "/HoldTimeout", timeout_ms=1500)
    ids["stop"] = longWait()
    ids["cancel"] = longWait()
    ids["heldStop"] = longWait()
    ids["heldCancel"] = longWait()
    ids["wfTimeout"] = longWait(options={"timeoutSeconds": 1})
    ids["waitTimeout"] = longWait(timeout_ms=400)
    for key in ("hold", "holdTimeout", "stop", "cancel", "heldStop", "heldCancel"):
        waitStatus(ids[key], ("RUNNING",))
    time.sleep(0.3)  # every wait is now inside its step, polling


def command(key, cmd):
    env = service.sendCommand(workflowId=ids[key], cmd=cmd, reason="test " + cmd)
    c.check(env["ok"], "%s accepted for %s" % (cmd, key), env)
    return time.time()


def reach(key, status):
    """Seconds until the run shows `status` (fails the check past LATENCY_S)."""
    t0 = time.time()
    waitStatus(ids[key], (status,), seconds=10)
    took = time.time() - t0
    c.facts["%s->%s" % (key, status)] = round(took, 3)
    c.check(took <= LATENCY_S, "%s reaches %s within one poll" % (key, status), took)
    return took


def holdAndResume():
    t0 = command("hold", "HOLD")
    command("holdTimeout", "HOLD")
    command("heldStop", "HOLD")
    command("heldCancel", "HOLD")
    reach("hold", "HELD")
    reach("holdTimeout", "HELD")
    reach("heldStop", "HELD")
    reach("heldCancel", "HELD")
    # HOLD parks the wait: 2 s HELD, longer than holdTimeout's whole 1.5 s timeout.
    time.sleep(2.0)
    for key in ("hold", "holdTimeout"):
        c.check(getRun(ids[key])["status"] == "HELD", "%s stays HELD" % key)
    command("hold", "RESUME")
    tResume = command("holdTimeout", "RESUME")
    reach("hold", "RUNNING")
    # The remaining wait resumes: the held time did not count against timeout_ms.
    time.sleep(0.3)
    c.check(getRun(ids["hold"])["status"] == "RUNNING", "the resumed wait keeps waiting")
    c.check(getRun(ids["holdTimeout"])["status"] == "RUNNING",
            "a wait held past its timeout is not timed out by the hold")
    run = finished(ids["holdTimeout"], 10)
    afterResume = time.time() - tResume
    c.facts["holdTimeoutAfterResumeS"] = round(afterResume, 3)
    c.check(run["status"] == "ERROR" and (run.get("error") or {}).get("type") == "WaitTimeout",
            "the resumed wait then times out with WaitTimeout", run["status"], run.get("error"))
    c.check(afterResume >= 0.6, "only the remaining time was waited after RESUME", afterResume)
    system.tag.writeBlocking([BASE + "/HoldMe"], [1])
    run = finished(ids["hold"], 10)
    total = (run["finishedMs"] - run["startedMs"]) / 1000.0
    out = run.get("output") or {}
    c.check(run["status"] == "SUCCESS" and out.get("value") == 1,
            "the resumed wait sees the value and succeeds", run["status"], out, run.get("error"))
    c.check(out.get("waitedMs", 1e9) / 1000.0 <= total - 1.8,
            "waitedMs excludes the time HELD", out.get("waitedMs"), total)
    c.facts["holdHeldS"] = round(time.time() - t0, 3)


def stopAndCancel():
    command("stop", "STOP")
    reach("stop", "STOPPED")
    c.check(steps(ids["stop"]) == [], "a stopped wait records no step result", steps(ids["stop"]))
    command("heldStop", "STOP")
    reach("heldStop", "STOPPED")
    for key in ("cancel", "heldCancel"):
        env = service.cancel(workflowId=ids[key], reason="test cancel")
        c.check(env["ok"], "cancel accepted for %s" % key, env)
        reach(key, "CANCELLED")
    # CANCELLED is written at once; the worker must also leave its wait within one poll.
    deadline = time.time() + LATENCY_S
    busy = [ids["cancel"], ids["heldCancel"]]
    while time.time() < deadline:
        running = admin.diagnostics()["data"]["running"]
        if not [w for w in busy if w in running]:
            break
        time.sleep(0.02)
    running = admin.diagnostics()["data"]["running"]
    c.check(not [w for w in busy if w in running], "cancelled waits leave their workers",
            running)


def timeouts():
    run = finished(ids["wfTimeout"], 10)
    c.check(run["status"] == "ERROR" and (run.get("error") or {}).get("type") == "WorkflowTimedOut",
            "a workflow timeout ends a long wait", run["status"], run.get("error"))
    late = (run["finishedMs"] - run["startedMs"]) / 1000.0 - 1.0
    c.facts["wfTimeoutLateS"] = round(late, 3)
    c.check(late <= LATENCY_S, "within one poll of the timeout", late)
    run = finished(ids["waitTimeout"], 10)
    err = run.get("error") or {}
    c.check(run["status"] == "ERROR" and err.get("type") == "WaitTimeout"
            and "within 400 ms" in err.get("message", ""),
            "wait past timeout_ms fails with WaitTimeout", run["status"], err)


def devices():
    run = finished(ids["slow"], 10)
    out = run.get("output") or {}
    c.check(run["status"] == "SUCCESS", "write_confirm on a slow actuator succeeds",
            run["status"], run.get("error"))
    c.check(out.get("confirmPath") == BASE + "/Pv" and out.get("confirmedValue") == 42.5,
            "confirmed on the feedback tag", out)
    c.check(600 <= out.get("confirmMs", 0) < 3000, "confirmation took the actuator's delay",
            out.get("confirmMs"))
    c.facts["slowConfirmMs"] = out.get("confirmMs")
    run = finished(ids["jammed"], 10)
    err = run.get("error") or {}
    c.check(run["status"] == "ERROR" and err.get("type") == "WriteNotConfirmed",
            "write_confirm on a jammed device fails with WriteNotConfirmed", run["status"], err)
    c.check("last value 0" in err.get("message", "") and "within 800 ms" in err.get("message", ""),
            "the message gives the last value and the timeout", err.get("message"))
    recorded = steps(ids["jammed"])
    c.check(len(recorded) == 1 and recorded[0]["attempts"] == 1
            and recorded[0]["error"]["type"] == "WriteNotConfirmed",
            "write_confirm is not retried by default", recorded)


c.section("start", startAll)
c.section("hold", holdAndResume)
c.section("stop", stopAndCancel)
c.section("timeouts", timeouts)
c.section("devices", devices)
slowDevice.cancel()
jammed.release()
c.finish()
