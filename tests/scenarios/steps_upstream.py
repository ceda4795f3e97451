# Step helpers in the upstream (ignition-workflows 0.3.6) result style: upstream keys, and
# {"ok": False, ...} returned (not raised) for bad quality, timeouts, non-2xx and SQL errors;
# chosen per module (setModuleStyle below), per call (resultStyle=), or by the workflow's
# profile (registered through engine.runtime, upstream's path); replay keeps the recorded shape.
#
# Run: tools/gwsim exec [--db JDBC_URL] tests/scenarios/steps_upstream.py [main|crash|replay]
#   main    every check below; prints `RESULT {"ok": ..., "failures": [...], "facts": {...}}`
#   crash   starts t.up.replay, prints `READY {...}` once its failures are recorded and it
#           sleeps, then waits to be SIGKILLed
#   replay  (same gateway, restarted) this module is native now: the recovered run must
#           still get the recorded upstream shapes, and the native shape from new calls
from __future__ import print_function

import json
import sys
import time

import gwsim

from steps_flows import BASE, Checks, finished, getRun, setup, startFlow, steps
from exchange.workflows.bootstrap import step, workflow
from exchange.workflows.core.errors import InvalidArguments, StepError
from exchange.workflows.engine import registry
from exchange.workflows.engine.runtime import workflow as upstreamWorkflow
from exchange.workflows.steps import db, errors, http, results, tags, wait
from exchange.workflows.steps.sleep import sleep_chunked, sleep_ms

DB = "WorkflowsDB"
MODE = sys.argv[1] if len(sys.argv) > 1 else "main"
MISSING = BASE + "/MissingUp"
READONLY = "[System]Gateway/SystemName"

# The per-module setting: every workflow below answers in the upstream style (in the replay
# phase this module is left native, as after a code change).
if MODE != "replay":
    results.setModuleStyle(__name__, "upstream")


def caught(fn, *args, **kwargs):
    """Runs a call that must raise a step failure; returns its error type (None: no raise)."""
    try:
        fn(*args, **kwargs)
    except StepError as e:
        return e.errorType
    return None


# -- workflows (upstream style through the module setting) ---------------------------------

@workflow(name="t.up.tags_ok")
def tags_ok():
    return {"write": tags.write(BASE + "/Int", 5),
            "read": tags.read(BASE + "/Int"),
            "confirm": tags.write_confirm(BASE + "/Int", 6, timeout_ms=2000, poll_ms=50),
            "wait": wait.until_tag_equals(BASE + "/Int", 6, timeout_ms=2000, poll_ms=50)}


@workflow(name="t.up.tags_failed")
def tags_failed():
    # Writes Sp, not Int: tags_ok runs at the same time and expects its own values on Int.
    return {"readMissing": tags.read(MISSING),
            "writeMissing": tags.write(MISSING, 1),
            "writeReadonly": tags.write(READONLY, "x"),
            "confirmTimeout": tags.write_confirm(BASE + "/Sp", 7, confirm_path=BASE + "/Never",
                                                 timeout_ms=300, poll_ms=50),
            "confirmMissing": tags.write_confirm(BASE + "/Sp", 7, confirm_path=MISSING,
                                                 timeout_ms=5000, poll_ms=50),
            "waitTimeout": wait.until_tag_equals(BASE + "/Never", -1, timeout_ms=300, poll_ms=50),
            "waitMissing": wait.until_tag_equals(MISSING, 1, timeout_ms=5000, poll_ms=50)}


@workflow(name="t.up.http")
def http_flow(base):
    return {"ok": http.request("GET", base + "/hello"),
            "e500": http.request("POST", base + "/fail", json_body={"a": 1}),
            "e404": http.request("GET", base + "/missing"),
            "transport": caught(http.request, "GET", base.rsplit(":", 1)[0] + ":1/x",
                                timeout_ms=2000)}


@workflow(name="t.up.db")
def db_flow(dbName, table):
    out = {"create": db.update(dbName, "CREATE TABLE %s (id INTEGER PRIMARY KEY, name VARCHAR(20))"
                                       % table)}
    out["insert"] = db.update(dbName, "INSERT INTO %s (id, name) VALUES (?, ?), (?, ?)" % table,
                              [1, "alpha", 2, "beta"])
    out["query"] = db.query(dbName, "SELECT id, name FROM %s ORDER BY id" % table)
    out["badUpdate"] = db.update(dbName, "INSERT INTO no_such_table_up (a) VALUES (?)", [1])
    out["badQuery"] = caught(db.query.withOptions({"retries_allowed": False}), dbName,
                             "SELECT a FROM no_such_table_up")
    return out


@workflow(name="t.up.sleep")
def sleep_flow():
    return {"chunked": sleep_chunked(300, 100), "ms": sleep_ms(120),
            "msNative": sleep_ms(30, resultStyle="native")}


@workflow(name="t.up.per_call_native")
def per_call_native(dbName):
    return {"read": caught(tags.read.withOptions({"retries_allowed": False}), MISSING,
                           resultStyle="native"),
            "query": db.query(dbName, "SELECT 1 AS one", resultStyle="native")}


@step(name="t.up.user_step")
def user_step():
    # A built-in step called inside the user's own step: part of it, in the run's style.
    return {"inner": tags.read(MISSING)}


@workflow(name="t.up.nested")
def nested():
    return user_step()


@upstreamWorkflow(name="t.up.profiled")
def profiled():
    return tags.read(MISSING)


@upstreamWorkflow(name="t.up.profiled_native_module")
def profiled_native_module():
    return caught(tags.read.withOptions({"retries_allowed": False}), MISSING)


@workflow(name="t.up.unset")
def unset():
    return caught(tags.read.withOptions({"retries_allowed": False}), MISSING)


@workflow(name="t.up.replay")
def replay_flow(dbName, sleepMs):
    out = {"update": db.update(dbName, "INSERT INTO no_such_table_up (a) VALUES (?)", [1]),
           "read": tags.read(MISSING)}
    out["sleep"] = sleep_chunked(sleepMs, 100)
    out["after"] = db.query(dbName, "SELECT 1 AS one")
    return out


# Moved to modules of their own, so that this module's setting does not apply to them: the
# first has only its upstream profile (upstream's decorator path), the second is upstream-profile
# in a module that asks for native, the third is plain bootstrap in a module without a setting.
registry.get("t.up.profiled").module = "steps_upstream_profiled"
registry.get("t.up.profiled_native_module").module = "steps_upstream_native"
results.setModuleStyle("steps_upstream_native", "native")
registry.get("t.up.unset").module = "steps_upstream_unset"


# -- checks ---------------------------------------------------------------------------------

c = Checks()


def failure(out, errorType, what):
    """`out` is an upstream failure result: ok False and the error's type and a message."""
    out = out or {}
    c.check(out.get("ok") is False, "%s: ok is False" % what, out)
    err = out.get("error") or {}
    c.check(err.get("type") == errorType and bool(err.get("message")),
            "%s: error type %s with a message" % (what, errorType), out)
    return out


def recordedAsOutputs(wid, what):
    """Returned failures are the steps' recorded outputs: no step error, one attempt each."""
    for s in steps(wid):
        c.check(s["error"] is None and s["attempts"] == 1,
                "%s: step %s recorded as an output after one attempt" % (what, s["functionName"]), s)


def succeeded(wid, what):
    run = finished(wid, 30.0)
    c.check(run["status"] == "SUCCESS", "%s ends SUCCESS" % what, run["status"], run.get("error"))
    return run.get("output") or {}


def main():
    setup()
    table = "steps_up_%d" % (int(time.time() * 1000) % 1000000)
    server = gwsim.httpserver.start(lambda r: (
        (200, {"hi": r.method}) if r.path == "/hello" else
        (500, u"boom") if r.path == "/fail" else (404, u"no such thing")))
    ids = {"tags_ok": startFlow("t.up.tags_ok"), "tags_failed": startFlow("t.up.tags_failed"),
           "http": startFlow("t.up.http", base=server.url),
           "db": startFlow("t.up.db", dbName=DB, table=table), "sleep": startFlow("t.up.sleep"),
           "native": startFlow("t.up.per_call_native", dbName=DB),
           "nested": startFlow("t.up.nested"), "profiled": startFlow("t.up.profiled"),
           "profiledNative": startFlow("t.up.profiled_native_module"),
           "unset": startFlow("t.up.unset")}

    def checkTags():
        out = succeeded(ids["tags_ok"], "tags_ok")
        c.check(out.get("write") == {"ok": True, "quality": "Good", "path": BASE + "/Int",
                                     "value": 5}, "tags.write upstream result", out.get("write"))
        r = out.get("read") or {}
        c.check(r.get("ok") is True and r.get("value") == 5 and r.get("quality") == "Good"
                and isinstance(r.get("timestamp"), basestring), "tags.read upstream result", r)
        c.check(out.get("confirm") == {"ok": True, "write_quality": "Good", "confirmed": True},
                "write_confirm upstream result", out.get("confirm"))
        c.check(out.get("wait") == {"ok": True, "value": 6, "quality": "Good"},
                "until_tag_equals upstream result", out.get("wait"))

        out = succeeded(ids["tags_failed"], "tags_failed (failures returned, not raised)")
        r = failure(out.get("readMissing"), "TagReadError", "read of a missing tag")
        c.check(r.get("quality") == "Bad_NotFound" and "value" in r and "timestamp" in r,
                "a failed read keeps value/quality/timestamp", r)
        r = failure(out.get("writeMissing"), "TagWriteError", "write of a missing tag")
        c.check(r.get("quality") == "Bad_NotFound", "a refused write gives its quality", r)
        failure(out.get("writeReadonly"), "TagWriteError", "write of a read-only tag")
        r = failure(out.get("confirmTimeout"), "WriteNotConfirmed", "unconfirmed write")
        c.check(r.get("write_quality") == "Good" and r.get("confirmed") is False
                and r.get("timeout_ms") == 300, "unconfirmed write keys", r)
        r = failure(out.get("confirmMissing"), "TagReadError", "confirm on a missing tag")
        c.check(r.get("confirmed") is False, "confirm on a missing tag: not confirmed", r)
        r = failure(out.get("waitTimeout"), "WaitTimeout", "wait timeout")
        c.check(r.get("value") == 0 and r.get("quality") == "Good" and r.get("timeout_ms") == 300,
                "wait timeout keys", r)
        r = failure(out.get("waitMissing"), "TagReadError", "wait on a missing tag")
        c.check(r.get("quality") == "Bad_NotFound", "wait on a missing tag gives its quality", r)
        recordedAsOutputs(ids["tags_failed"], "tags_failed")

    def checkHttp():
        out = succeeded(ids["http"], "http")
        r = out.get("ok") or {}
        c.check(r.get("ok") is True and r.get("status") == 200 and r.get("json") == {"hi": "GET"}
                and isinstance(r.get("headers"), dict) and "text" in r, "2xx upstream result", r)
        r = failure(out.get("e500"), "HttpStatusError", "HTTP 500")
        c.check(r.get("status") == 500 and r.get("text") == u"boom" and "headers" in r,
                "HTTP 500 keeps status, text, headers", r)
        c.check("HTTP 500" in (r.get("error") or {}).get("message", ""), "500 message", r)
        r = failure(out.get("e404"), "HttpStatusError", "HTTP 404")
        c.check(r.get("status") == 404, "HTTP 404 status", r)
        c.check(out.get("transport") == "HttpTransportError",
                "no answer still raises HttpTransportError", out.get("transport"))

    def checkDb():
        out = succeeded(ids["db"], "db")
        c.check(out.get("create", {}).get("ok") is True, "CREATE ok", out.get("create"))
        c.check(out.get("insert") == {"ok": True, "rows_affected": 2, "rowsAffected": 2},
                "db.update rows_affected", out.get("insert"))
        rows = [dict((k.lower(), v) for k, v in row.items()) for row in out.get("query") or []]
        c.check(rows == [{"id": 1, "name": "alpha"}, {"id": 2, "name": "beta"}],
                "db.query returns a list of row dicts", out.get("query"))
        r = failure(out.get("badUpdate"), "SqlError", "db.update on a missing table")
        c.check(r.get("rows_affected") == 0 and r.get("rowsAffected") == 0,
                "failed update affected 0 rows", r)
        c.check(out.get("badQuery") == "SqlError", "db.query errors still raise SqlError",
                out.get("badQuery"))

    def checkSleep():
        out = succeeded(ids["sleep"], "sleep")
        c.check(out.get("chunked") == {"ok": True, "slept_ms": 300, "chunks": 3, "chunk_ms": 100,
                                       "sleptMs": 300}, "sleep_chunked upstream", out.get("chunked"))
        c.check(out.get("ms") == {"ok": True, "slept_ms": 120, "sleptMs": 120}, "sleep_ms upstream",
                out.get("ms"))
        c.check(out.get("msNative") == {"sleptMs": 30}, "sleep_ms per-call native",
                out.get("msNative"))
        names = [s["functionName"] for s in steps(ids["sleep"])]
        c.check(names == ["sleep.sleep_chunked", "sleep.sleep_ms", "sleep.sleep_ms"],
                "each sleep is one durable operation", names)

    def checkSelection():
        out = succeeded(ids["native"], "per-call native")
        c.check(out.get("read") == "TagReadError", "resultStyle='native' raises in an upstream "
                "module", out.get("read"))
        q = out.get("query") or {}
        c.check(isinstance(q, dict) and len(q.get("rows") or []) == 1, "native db.query shape", q)
        out = succeeded(ids["nested"], "nested")
        failure(out.get("inner"), "TagReadError", "a built-in step inside a user step")
        failure(succeeded(ids["profiled"], "profiled"), "TagReadError",
                "a workflow with the upstream profile")
        c.check(succeeded(ids["profiledNative"], "profiledNative") == "TagReadError",
                "a module's native setting overrides the upstream profile",
                getRun(ids["profiledNative"]).get("output"))
        c.check(succeeded(ids["unset"], "unset") == "TagReadError",
                "a module without a setting is native", getRun(ids["unset"]).get("output"))

    def checkOutside():
        # Outside a workflow the module setting does not apply: native unless the call says.
        try:
            tags.read(MISSING)
            c.check(False, "outside a workflow tags.read raises by default")
        except errors.TagReadError:
            pass
        failure(tags.read(MISSING, resultStyle="upstream"), "TagReadError", "outside read")
        r = failure(wait.until_tag_equals(BASE + "/Never", -1, timeout_ms=0,
                                          resultStyle="upstream"), "WaitTimeout", "outside wait")
        c.check(r.get("timeout_ms") == 0, "outside wait timeout_ms", r)
        failure(http.request("GET", server.url + "/fail", resultStyle="upstream"),
                "HttpStatusError", "outside http")
        failure(db.update(DB, "DELETE FROM no_such_table_up", resultStyle="upstream"), "SqlError",
                "outside db.update")
        c.check(db.query(DB, "SELECT 1 AS one", resultStyle="upstream") in ([{"one": 1}],
                                                                            [{"ONE": 1}]),
                "outside db.query upstream", db.query(DB, "SELECT 1 AS one", resultStyle="upstream"))
        c.check(sleep_ms(10) == {"sleptMs": 10}, "outside sleep_ms native", sleep_ms(10))
        c.check(sleep_chunked(20, 10, resultStyle="upstream") ==
                {"ok": True, "slept_ms": 20, "chunks": 2, "chunk_ms": 10, "sleptMs": 20},
                "outside sleep_chunked upstream")
        for bad in (lambda: tags.read(BASE + "/Int", resultStyle="Upstream"),
                    lambda: sleep_ms(10, resultStyle="result"),
                    lambda: results.setModuleStyle("m", "bogus"),
                    lambda: results.setModuleStyle("", "upstream"), lambda: sleep_ms(-1)):
            try:
                bad()
                c.check(False, "an unknown style or bad argument is refused")
            except InvalidArguments:
                pass

    for name, body in (("tags", checkTags), ("http", checkHttp), ("db", checkDb),
                       ("sleep", checkSleep), ("selection", checkSelection),
                       ("outside", checkOutside)):
        c.section(name, body)
    server.stop()
    c.finish()


def crash():
    setup()
    wid = startFlow("t.up.replay", dbName=DB, sleepMs=4000)
    deadline = time.time() + 60
    while time.time() < deadline:
        recorded = steps(wid)
        if len(recorded) == 3 and recorded[2]["output"]["wakeAtMs"] - time.time() * 1000 >= 1500:
            print("READY " + json.dumps({"workflowId": wid, "steps": recorded}))
            sys.stdout.flush()
            time.sleep(300)
        time.sleep(0.02)
    print("READY never: %s" % json.dumps(steps(wid)))
    sys.exit(2)


def replay():
    before = json.loads(sys.argv[2])
    wid = before["workflowId"]
    out = succeeded(wid, "the recovered run")
    c.check(getRun(wid)["claimEpoch"] >= 2, "the run was reclaimed after the restart",
            getRun(wid)["claimEpoch"])
    failure(out.get("update"), "SqlError", "replayed db.update keeps the upstream shape")
    c.check(out.get("update", {}).get("rows_affected") == 0, "replayed rows_affected",
            out.get("update"))
    failure(out.get("read"), "TagReadError", "replayed tags.read keeps the upstream shape")
    c.check(out.get("sleep") == {"ok": True, "slept_ms": 4000, "chunks": 40, "chunk_ms": 100,
                                 "sleptMs": 4000}, "replayed sleep keeps the recorded style",
            out.get("sleep"))
    after = out.get("after") or {}
    c.check(isinstance(after, dict) and len(after.get("rows") or []) == 1,
            "a step run after the restart answers in the module's new (native) style", after)
    recorded = steps(wid)
    c.check([s["functionName"] for s in recorded] == ["db.update", "tags.read",
                                                      "sleep.sleep_chunked", "db.query"],
            "no step ran twice", recorded)
    c.check(recorded[:3] == before["steps"], "the recorded outputs are unchanged", recorded[:3])
    c.finish()


{"main": main, "crash": crash, "replay": replay}[MODE]()
