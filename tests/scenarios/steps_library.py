# Step library scenario: every step's success path, failure paths with their error types,
# retries (attempts recorded), result shapes, and secrets kept out of checkpoints.
# Run: tools/gwsim exec [--db JDBC_URL] tests/scenarios/steps_library.py
# Prints `RESULT {"ok": ..., "failures": [...], "facts": {...}}` last.
from __future__ import print_function

import json
import time

import gwsim

from steps_flows import BASE, MADE_MS, SECRET, SQL_SECRET, Checks, finished, getRun, setup, startFlow, steps
from exchange.workflows.core.errors import InvalidArguments
from exchange.workflows.steps import db, errors, http, tags, wait

DB = "WorkflowsDB"
c = Checks()
setup()


def handler(request):
    if request.path == "/echo":
        # A careless server that echoes the credentials back: they must still be masked.
        return {"method": request.method, "query": request.query,
                "auth": request.headers.get("authorization"), "trace": request.headers.get("x-trace"),
                "sid": request.headers.get("cookie", "").replace("sid=", "")}
    if request.path == "/items":
        return (201, {"created": request.json, "key": request.headers.get("x-api-key")},
                {"Set-Cookie": "session=abc123secret", "Location": "/items/7"})
    if request.path == "/text":
        return (200, u"got " + request.text)
    if request.path == "/fail":
        return (500, u"boom: token was " + request.headers.get("authorization", ""))
    if request.path == "/missing":
        return (404, u"no such thing")
    if request.path == "/slow":
        time.sleep(1.5)
        return 200
    if request.path == "/flaky":
        flaky.append(1)
        return 503 if len(flaky) < 2 else (200, {"attempt": len(flaky)})
    return 404


flaky = []
server = gwsim.httpserver.start(handler)
# A port with nothing listening: start a server, note its port, stop it.
closed = gwsim.httpserver.start(lambda r: 200)
closedUrl = closed.url + "/nothing"
closed.stop()
table = "steps_app_%d" % (int(time.time() * 1000) % 1000000)

# Start everything at once: the runs execute concurrently.
ids = {
    "tags_ok": None, "read_missing": None, "write_missing": None, "write_readonly": None,
    "catch": None, "http_ok": None, "http_500": None, "http_404": None, "http_refused": None,
    "http_timeout": None, "http_retry": None, "db_ok": None, "db_bad_query": None,
    "db_bad_update": None,
}


def startAll():
    system.tag.writeBlocking([BASE + "/Bool"], [True])
    ids["tags_ok"] = startFlow("t.steps.tags_ok")
    ids["read_missing"] = startFlow("t.steps.read_missing")
    ids["write_missing"] = startFlow("t.steps.write_missing")
    ids["write_readonly"] = startFlow("t.steps.write_readonly")
    ids["catch"] = startFlow("t.steps.catch_timeout", path=BASE + "/Never")
    ids["http_ok"] = startFlow("t.steps.http_ok", base=server.url)
    ids["http_500"] = startFlow("t.steps.http_status", url=server.url + "/fail", withKey=True)
    ids["http_404"] = startFlow("t.steps.http_status", url=server.url + "/missing")
    ids["http_refused"] = startFlow("t.steps.http_transport", url=closedUrl)
    ids["http_timeout"] = startFlow("t.steps.http_transport", url=server.url + "/slow",
                                    timeout_ms=300)
    ids["http_retry"] = startFlow("t.steps.http_retry", url=server.url + "/flaky")
    ids["db_ok"] = startFlow("t.steps.db_ok", dbName=DB, table=table)
    ids["db_bad_query"] = startFlow("t.steps.db_bad_query", dbName=DB)
    ids["db_bad_update"] = startFlow("t.steps.db_bad_update", dbName=DB)


def failedWith(key, errorType, attempts=1, contains=None):
    """The run ended ERROR with errorType, recorded on its one step with `attempts`."""
    run = finished(ids[key])
    err = run.get("error") or {}
    c.check(run["status"] == "ERROR", "%s ends ERROR" % key, run["status"], err)
    c.check(err.get("type") == errorType, "%s error type is %s" % (key, errorType), err)
    recorded = steps(ids[key])
    c.check(len(recorded) == 1 and recorded[0]["error"] is not None,
            "%s records one failed step" % key, recorded)
    if recorded:
        c.check(recorded[0]["error"].get("type") == errorType,
                "%s step error type" % key, recorded[0]["error"])
        c.check(recorded[0]["attempts"] == attempts, "%s attempts == %d" % (key, attempts),
                recorded[0]["attempts"])
    if contains:
        c.check(contains in (err.get("message") or ""), "%s message mentions %r" % (key, contains),
                err.get("message"))
    return run


def checkTags():
    run = finished(ids["tags_ok"])
    c.check(run["status"] == "SUCCESS", "tags_ok succeeds", run["status"], run.get("error"))
    out = run.get("output") or {}
    c.check(out.get("write") == {"path": BASE + "/Int", "value": 9.0, "quality": "Good"},
            "tags.write result", out.get("write"))
    r = out.get("read") or {}
    c.check(r.get("value") == 9 and r.get("quality") == "Good" and r.get("path") == BASE + "/Int",
            "tags.read result", r)
    c.check(isinstance(r.get("timestamp"), basestring) and r["timestamp"].endswith("Z"),
            "tags.read timestamp is ISO text", r.get("timestamp"))
    cs = out.get("confirmSelf") or {}
    c.check(cs.get("confirmPath") == BASE + "/Int" and cs.get("confirmedValue") == 12
            and cs.get("value") == "12", "write_confirm on the written tag, '12' vs Int 12", cs)
    c.check((out.get("waitBool") or {}).get("value") is True, "wait 'true' on a Boolean tag",
            out.get("waitBool"))
    c.check((out.get("readDate") or {}).get("value", "").startswith("2024-05-01T"),
            "a DateTime value is ISO text", out.get("readDate"))
    names = [s["functionName"] for s in steps(ids["tags_ok"])]
    c.check(names == ["tags.write", "tags.read", "tags.write_confirm", "wait.until_tag_equals",
                      "tags.read"], "tags_ok checkpoints one op per step", names)

    failedWith("read_missing", "TagReadError", attempts=3, contains="Bad_NotFound")
    failedWith("write_missing", "TagWriteError", attempts=2, contains="Bad_NotFound")
    failedWith("write_readonly", "TagWriteError", attempts=1, contains="Bad_ReadOnly")
    run = finished(ids["catch"])
    out = run.get("output") or {}
    c.check(run["status"] == "SUCCESS" and out.get("caught") == "WaitTimeout"
            and out.get("step") == "wait.until_tag_equals",
            "a workflow catches StepError with errorType WaitTimeout", run["status"], out)


def checkComparisons():
    """Outside a workflow the steps run directly; timeout_ms=0 checks once."""
    system.tag.writeBlocking([BASE + "/Int", BASE + "/Float", BASE + "/Text", BASE + "/Bool"],
                             [9, 0.1, "9", False])
    for path, expected in ((BASE + "/Int", 9.0), (BASE + "/Int", "9"), (BASE + "/Int", 9),
                           (BASE + "/Float", 0.1), (BASE + "/Text", 9), (BASE + "/Bool", 0),
                           (BASE + "/Bool", "false")):
        try:
            wait.until_tag_equals(path, expected, timeout_ms=0)
        except errors.WaitTimeout as e:
            c.check(False, "%s equals %r" % (path, expected), str(e))
    for path, expected in ((BASE + "/Int", 9.5), (BASE + "/Int", "nine"), (BASE + "/Text", 9.0),
                           (BASE + "/Bool", "yes"), (BASE + "/Int", None)):
        try:
            wait.until_tag_equals(path, expected, timeout_ms=0)
            c.check(False, "%s must not equal %r" % (path, expected))
        except errors.WaitTimeout as e:
            c.check("did not reach" in str(e), "WaitTimeout message", str(e))
    try:
        wait.until_tag_equals(BASE + "/Missing", 1, timeout_ms=5000)
        c.check(False, "waiting on a missing tag fails")
    except errors.TagReadError as e:
        c.check("Bad_NotFound" in str(e), "missing tag fails at once with TagReadError", str(e))
    for bad in (lambda: tags.read(""), lambda: tags.write(None, 1),
                lambda: wait.until_tag_equals(BASE + "/Int", 1, poll_ms=0),
                lambda: http.request("GET", "ftp://x"), lambda: http.request("G E T", server.url),
                lambda: http.request("POST", server.url, data="a", json_body={}),
                lambda: db.query(DB, ""), lambda: db.update(DB, "DELETE FROM x", "notalist")):
        try:
            bad()
            c.check(False, "bad arguments are refused")
        except InvalidArguments:
            pass
    c.check(http.safeUrl("https://bob:pw-123456@plant.local:8443/api?a=1&password=p2&Token=t#f")
            == "https://plant.local:8443/api?a=1&password=***&Token=***", "safeUrl",
            http.safeUrl("https://bob:pw-123456@plant.local:8443/api?a=1&password=p2&Token=t#f"))
    try:
        http.request("GET", closedUrl.replace("http://", "http://bob:pw-123456@") + "?apikey=zz-98765",
                     headers={"Cookie": "sid=cookie-4567"}, timeout_ms=2000)
        c.check(False, "a closed port fails")
    except errors.HttpTransportError as e:
        text = str(e)
        c.check("pw-123456" not in text and "zz-98765" not in text and "cookie-4567" not in text
                and "bob" not in text, "transport error hides URL credentials", text)
        c.facts["transportMessage"] = text
    # Outside a workflow a step returns its result directly.
    c.check(tags.read(BASE + "/Int")["value"] == 9, "tags.read outside a workflow")


def checkHttp():
    run = finished(ids["http_ok"])
    c.check(run["status"] == "SUCCESS", "http_ok succeeds", run["status"], run.get("error"))
    out = run.get("output") or {}
    get = out.get("get") or {}
    c.check(get.get("status") == 200, "GET status", get)
    body = get.get("json") or {}
    c.check(body.get("query", {}).get("line") == "L1" and body.get("query", {}).get("x") == "1",
            "params reach the server", body)
    c.check(body.get("auth") == "***", "echoed Authorization is masked", body.get("auth"))
    c.check(body.get("sid") == "***", "an echoed cookie value is masked", body.get("sid"))
    c.check(body.get("trace") == "t1", "ordinary headers are sent", body)
    c.check(get.get("url") == server.url + "/echo?api_key=***&x=1", "result URL hides the key",
            get.get("url"))
    c.check(get.get("headers", {}).get("content-type", "").startswith("application/json"),
            "response headers, lower-case", get.get("headers"))
    post = out.get("post") or {}
    c.check(post.get("status") == 201 and post.get("json", {}).get("created") == {"id": 7, "tags": ["a"]},
            "POST json_body arrives as JSON", post)
    c.check("set-cookie" not in post.get("headers", {}), "Set-Cookie dropped", post.get("headers"))
    c.check(post.get("headers", {}).get("location") == "/items/7", "Location kept", post.get("headers"))
    text = out.get("text") or {}
    c.check(text.get("text") == u"got caf\u00e9" and text.get("json") is None, "text body", text)

    e500 = failedWith("http_500", "HttpStatusError", contains="HTTP 500")
    c.check("GET " + server.url + "/fail?token=***" in e500["error"]["message"],
            "status error names method and URL, without the token", e500["error"]["message"])
    failedWith("http_404", "HttpStatusError", contains="HTTP 404")
    failedWith("http_refused", "HttpTransportError", contains="no response")
    timeout = failedWith("http_timeout", "HttpTransportError", contains="Timeout")
    c.facts["httpTimeoutMessage"] = timeout["error"]["message"]
    run = finished(ids["http_retry"])
    c.check(run["status"] == "SUCCESS" and (run.get("output") or {}).get("json") == {"attempt": 2},
            "a retried request succeeds on its second attempt", run.get("status"), run.get("output"))
    recorded = steps(ids["http_retry"])
    c.check(recorded and recorded[0]["attempts"] == 2, "http retry records attempts == 2", recorded)

    # The shared client: one per JVM, kept in the gateway globals.
    c.check(http.client() is system.util.getGlobals()[http.CLIENT_KEY], "one shared client")


def checkDb():
    run = finished(ids["db_ok"])
    c.check(run["status"] == "SUCCESS", "db_ok succeeds", run["status"], run.get("error"))
    out = run.get("output") or {}
    c.check(out.get("insert") == {"rowsAffected": 2}, "db.update rowsAffected", out.get("insert"))
    q = out.get("query") or {}
    c.check([col.lower() for col in q.get("columns", [])] == ["id", "name", "amount", "made"],
            "db.query columns", q)
    rows = q.get("rows") or []
    c.check(len(rows) == 2, "db.query rows", rows)
    if len(rows) == 2:
        c.check(rows[0].get("id") == 1 and rows[0].get("name") == "alpha", "row values", rows[0])
        c.check(rows[0].get("amount") == 1.5 and rows[1].get("amount") == 2, "NUMERIC as numbers",
                rows)
        made = rows[0].get("made")
        # SQLite has no timestamp type: its driver hands back the epoch milliseconds stored.
        c.check(made == "2024-05-01T10:00:00.000Z" or made == MADE_MS,
                "TIMESTAMP as ISO-8601 UTC text", made)
        c.check(rows[1].get("made") is None, "NULL as None", rows[1])
    c.check(out.get("empty") == {"columns": ["id", "name"], "rows": []} or
            [x.lower() for x in (out.get("empty") or {}).get("columns", [])] == ["id", "name"],
            "an empty result keeps its columns", out.get("empty"))
    c.check(out.get("delete") == {"rowsAffected": 1}, "db.update delete", out.get("delete"))
    failedWith("db_bad_query", "SqlError", attempts=3, contains="no_such_table_xyz")
    failedWith("db_bad_update", "SqlError", attempts=1, contains="no_such_table_xyz")
    c.facts["sqlErrorMessage"] = getRun(ids["db_bad_query"])["error"]["message"]


def checkSecrets():
    """No checkpoint, output or error of any run holds the token or the SQL args."""
    for key, wid in ids.items():
        if wid is None:
            continue
        dump = json.dumps({"run": getRun(wid), "steps": steps(wid)})
        c.check(SECRET not in dump, "no secret in run %s" % key)
        c.check("abc123secret" not in dump, "no cookie in run %s" % key)
        c.check(SQL_SECRET not in dump, "no SQL args in run %s" % key)


c.section("start", startAll)
# After checkTags, which waits for tags_ok: the comparisons rewrite the tag
# that tags_ok waits on.
c.section("tags", checkTags)
c.section("comparisons", checkComparisons)
c.section("http", checkHttp)
c.section("db", checkDb)
c.section("secrets", checkSecrets)
server.stop()
c.facts["secret"] = SECRET
c.finish()
