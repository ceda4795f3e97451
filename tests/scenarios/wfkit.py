"""Helpers for engine scenarios (Jython, inside tools/gwsim)."""
from __future__ import print_function

import json
import sys
import time

import system

import exchange.workflows.api.service as svc

failures = []
facts = {}

DB = "WorkflowsDB"
TERMINAL = ("SUCCESS", "ERROR", "CANCELLED", "STOPPED", "ABORTED", "DEAD_LETTER")


def check(cond, msg, *detail):
    if not cond:
        failures.append(msg)
        print("CHECK FAILED:", msg, *detail)
    return cond


def ok(resp, code=None, msg=""):
    good = resp.get("ok") is True and (code is None or resp.get("code") == code)
    check(good, "expected ok %s %s, got %s %s: %s" % (code, msg, resp.get("code"),
                                                    resp.get("ok"), resp.get("message")))
    return resp.get("data")


def bad(resp, code, msg=""):
    check(resp.get("ok") is False and resp.get("code") == code,
          "expected failure %s %s, got %s: %s" % (code, msg, resp.get("code"), resp.get("message")))
    check(bool(resp.get("message")), "failure %s has no message" % code)
    return resp


def started(name, inputs=None, **kw):
    r = svc.start(name, inputs or {}, **kw)
    data = ok(r, None, "start %s" % name)
    return data["workflowId"] if data else None


def status(wid):
    return svc.getWorkflow(wid)["data"]["status"]


def wait_for(pred, timeout=20.0, every=0.05, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(every)
    check(False, "timed out after %.0f s waiting for %s" % (timeout, what))
    return None


def wait_status(wid, statuses, timeout=20.0):
    if isinstance(statuses, str):
        statuses = (statuses,)
    holder = {}

    def look():
        row = svc.getWorkflow(wid)["data"]
        holder["row"] = row
        return row if row and row["status"] in statuses else None
    row = wait_for(look, timeout, what="%s to reach %s (last %s)" % (
        wid, statuses, holder.get("row", {}).get("status") if holder.get("row") else None))
    return row or holder.get("row")


def sql(query, args=()):
    return system.db.runPrepQuery(query, list(args), DB)


def update(query, args=()):
    return system.db.runPrepUpdate(query, list(args), DB)


def finish(**extra):
    facts.update(extra)
    facts["failures"] = failures
    facts["ok"] = not failures
    print("RESULT " + json.dumps(facts, default=str))
    sys.exit(1 if failures else 0)


def dispatch(**kw):
    """One dispatch cycle that really ran (the gateway timer may hold the lock)."""
    for _ in range(100):
        r = svc.dispatch(**kw)
        if r["code"] != "DISPATCH_SKIPPED":
            return ok(r, "DISPATCH_OK")
        time.sleep(0.01)
    check(False, "dispatch stayed busy")
    return {}
