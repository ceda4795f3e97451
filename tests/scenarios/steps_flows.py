# Test workflows and helpers for the step-library scenarios (steps_library.py,
# steps_control.py). Imported by them: the decorators register at import time.
from __future__ import print_function

import json
import sys
import time
import traceback

import system
from java.util import Date

from exchange.workflows.api import admin, service
from exchange.workflows.bootstrap import workflow
from exchange.workflows.core.errors import StepError
from exchange.workflows.steps import db, http, tags, wait

BASE = "[default]StepsTest"
# Stands for a credential from a secret store: never a workflow input (inputs are recorded).
SECRET = "tok-9f8e7d6c5b4a"
SQL_SECRET = "s3cr3t" + "-arg"  # split so that a traceback's source line does not show it
MADE_MS = 1714557600000  # 2024-05-01T10:00:00Z
FAST = {"interval_seconds": 0.05, "backoff_rate": 1.0}


# -- tags ---------------------------------------------------------------------------------------

@workflow(name="t.steps.tags_ok")
def tags_ok():
    out = {}
    out["write"] = tags.write(BASE + "/Int", 9.0)
    out["read"] = tags.read(BASE + "/Int")
    out["confirmSelf"] = tags.write_confirm(BASE + "/Int", "12", timeout_ms=1000, poll_ms=50)
    out["waitBool"] = wait.until_tag_equals(BASE + "/Bool", "true", timeout_ms=1000, poll_ms=50)
    out["readDate"] = tags.read(BASE + "/When")
    return out


@workflow(name="t.steps.read_missing")
def read_missing():
    return tags.read.withOptions(FAST)(BASE + "/Missing")


@workflow(name="t.steps.write_missing")
def write_missing():
    return tags.write.withOptions(dict(FAST, max_attempts=2))(BASE + "/Missing", 1)


@workflow(name="t.steps.write_readonly")
def write_readonly():
    return tags.write.withOptions({"retries_allowed": False})("[System]Gateway/SystemName", "x")


@workflow(name="t.steps.confirm")
def confirm(path, value, confirm_path=None, timeout_ms=3000, poll_ms=50):
    return tags.write_confirm(path, value, confirm_path=confirm_path, timeout_ms=timeout_ms,
                              poll_ms=poll_ms)


@workflow(name="t.steps.wait")
def wait_for(path, expected, timeout_ms=60000, poll_ms=100):
    return wait.until_tag_equals(path, expected, timeout_ms=timeout_ms, poll_ms=poll_ms)


@workflow(name="t.steps.catch_timeout")
def catch_timeout(path):
    """An author's handling of a failed step: the error type tells what happened."""
    try:
        wait.until_tag_equals(path, -1, timeout_ms=200, poll_ms=50)
    except StepError as e:
        return {"caught": e.errorType, "step": e.stepName, "message": e.errorMessage}
    return {"caught": None}


# -- http ---------------------------------------------------------------------------------------

@workflow(name="t.steps.http_ok")
def http_ok(base):
    token = SECRET
    out = {}
    out["get"] = http.request("GET", base + "/echo?api_key=" + token + "&x=1",
                              headers={"Authorization": "Bearer " + token, "X-Trace": "t1",
                                       "Cookie": "sid=" + token},
                              params={"line": "L1"})
    out["post"] = http.request("POST", base + "/items", json_body={"id": 7, "tags": ["a"]},
                               headers={"X-Api-Key": token})
    out["text"] = http.request("PUT", base + "/text", data=u"caf\u00e9", timeout_ms=5000)
    return out


@workflow(name="t.steps.http_status")
def http_status(url, withKey=False):
    if withKey:
        url += "?token=" + SECRET
    return http.request("GET", url, headers={"Authorization": "Bearer " + SECRET})


@workflow(name="t.steps.http_transport")
def http_transport(url, timeout_ms=10000):
    return http.request("GET", url, timeout_ms=timeout_ms)


@workflow(name="t.steps.http_retry")
def http_retry(url):
    return http.request.withOptions({"retries_allowed": True, "max_attempts": 3,
                                     "interval_seconds": 0.05})("GET", url)


# -- db -----------------------------------------------------------------------------------------

@workflow(name="t.steps.db_ok")
def db_ok(dbName, table):
    out = {}
    out["create"] = db.update(dbName, "CREATE TABLE %s (id INTEGER PRIMARY KEY, name VARCHAR(40), "
                                      "amount NUMERIC(10,2), made TIMESTAMP)" % table)
    out["insert"] = db.update(dbName, "INSERT INTO %s (id, name, amount, made) VALUES (?, ?, ?, ?), "
                                      "(?, ?, ?, ?)" % table,
                              [1, "alpha", 1.5, Date(MADE_MS), 2, "beta", 2, None])
    out["query"] = db.query(dbName, "SELECT id, name, amount, made FROM %s WHERE id >= ? "
                                    "ORDER BY id" % table, [1])
    out["empty"] = db.query(dbName, "SELECT id, name FROM %s WHERE id > ?" % table, [99])
    out["delete"] = db.update(dbName, "DELETE FROM %s WHERE name = ?" % table, ["beta"])
    return out


@workflow(name="t.steps.db_bad_query")
def db_bad_query(dbName):
    return db.query.withOptions(FAST)(dbName, "SELECT nope FROM no_such_table_xyz WHERE id = ?",
                                      [SQL_SECRET])


@workflow(name="t.steps.db_bad_update")
def db_bad_update(dbName):
    return db.update(dbName, "INSERT INTO no_such_table_xyz (a) VALUES (?)", [SQL_SECRET])


# -- helpers for the scenarios -----------------------------------------------------------------

def setupTags():
    system.tag.configure(BASE, [
        {"name": "Int", "dataType": "Int4", "value": 0},
        {"name": "Float", "dataType": "Float4", "value": 0.0},
        {"name": "Bool", "dataType": "Boolean", "value": True},
        {"name": "Text", "dataType": "String", "value": "9"},
        {"name": "When", "dataType": "DateTime", "value": "2024-05-01 10:00:00"},
        {"name": "Sp", "dataType": "Float8", "value": 0.0},
        {"name": "Pv", "dataType": "Float8", "value": 0.0},
        {"name": "Jammed", "dataType": "Int4", "value": 0},
        {"name": "Never", "dataType": "Int4", "value": 0},
        {"name": "HoldMe", "dataType": "Int4", "value": 0},
        {"name": "HoldTimeout", "dataType": "Int4", "value": 0},
    ], "o")


def startFlow(name, _options=None, **inputs):
    env = service.start(name, inputs, **(_options or {}))
    if not env["ok"]:
        raise AssertionError("start %s failed: %s" % (name, env))
    return env["data"]["workflowId"]


def getRun(wid):
    env = service.getWorkflow(wid)
    if not env["ok"]:
        raise AssertionError("getWorkflow %s failed: %s" % (wid, env))
    return env["data"]


def steps(wid):
    env = service.getSteps(wid)
    if not env["ok"]:
        raise AssertionError("getSteps %s failed: %s" % (wid, env))
    return env["data"]


def waitStatus(wid, statuses, seconds=20.0):
    """Polls the run (dispatching meanwhile) until its status is one of statuses."""
    deadline = time.time() + seconds
    while True:
        run = getRun(wid)
        if run["status"] in statuses:
            return run
        if time.time() > deadline:
            raise AssertionError("run %s still %s after %.1f s (wanted %s)" % (
                wid, run["status"], seconds, statuses))
        service.dispatch()
        time.sleep(0.02)


def finished(wid, seconds=20.0):
    return waitStatus(wid, ("SUCCESS", "ERROR", "CANCELLED", "STOPPED", "DEAD_LETTER"), seconds)


class Checks(object):
    """Collects failures so one scenario run reports every broken check at once."""

    def __init__(self):
        self.failures = []
        self.facts = {}

    def check(self, condition, message, *details):
        if not condition:
            text = message + ("" if not details else ": " + " | ".join(repr(d) for d in details))
            self.failures.append(text)
            print("FAIL:", text)
        return condition

    def section(self, name, body):
        started = time.time()
        try:
            body()
        except BaseException:
            self.failures.append("%s raised:\n%s" % (name, traceback.format_exc()))
            print("FAIL: %s raised" % name)
            traceback.print_exc()
        self.facts.setdefault("sectionS", {})[name] = round(time.time() - started, 2)

    def finish(self):
        print("RESULT " + json.dumps({"ok": not self.failures, "failures": self.failures,
                                      "facts": self.facts}))
        sys.stdout.flush()


def setup():
    admin.configureRuntime(maxWorkers=32)
    setupTags()
