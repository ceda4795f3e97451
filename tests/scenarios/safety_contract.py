"""The envelope contract for any call at all, and idempotent starts.

Every public function of api.service and api.admin answers {ok, code,
message, data, meta}, whatever it is called with: unknown keywords, extra
positional arguments, wrong types, NaN and infinities, out-of-range numbers,
oversize or too-deep inputs. A refused call leaves no row. ``None`` for an
optional parameter means its default. A caller-chosen workflowId makes a
start safe to retry."""
from __future__ import print_function

import exchange.workflows.api.admin as admin
import exchange.workflows.api.parked as parked
import exchange.workflows.api.recipes as recipes
import exchange.workflows.api.security as security
import exchange.workflows.api.service as svc
import flows
from wfkit import bad, check, finish, ok, sql, wait_status

flows.ensure_tables()
IA = "INVALID_ARGUMENTS"
NAN, INF = float("nan"), float("inf")
MIRRORED = ("dispatch", "start", "enqueueInMemory", "sendCommand", "cancel", "listWorkflows")


def call(fn, *args, **kwargs):
    try:
        r = fn(*args, **kwargs)
    except BaseException as e:  # the point of the test: nothing may escape
        check(False, "%s raised %s" % (fn.__name__, type(e).__name__))
        return {"ok": None, "code": None, "meta": {}}
    # The functions 0.3.6 also had mirror data's keys at the top level (its shape).
    mirrored = list(r["data"]) if fn.__name__ in MIRRORED and isinstance(r.get("data"), dict) else []
    check(isinstance(r, dict) and set(r) == set(["ok", "code", "message", "data", "meta"] + mirrored),
          "%s answers an envelope" % fn.__name__, r)
    check(r.get("code") != "INTERNAL_ERROR", "%s: no INTERNAL_ERROR" % fn.__name__, r)
    return r


def expect(code, fn, *args, **kwargs):
    r = call(fn, *args, **kwargs)
    bad(r, code, "%s(%d args, %s)" % (fn.__name__, len(args), sorted(kwargs)))
    return r


def rows():
    return int(sql("SELECT COUNT(*) FROM %s" % flows.STATUS_TABLE())[0][0])


# -- unknown keywords and extra positional arguments, on every public function
# Every public function (constants such as DEFAULT_DB and the gateway's startup/shutdown hooks aside).
PUBLIC = [(module, name) for module in (svc, admin, parked, security, recipes) for name in module.__all__
          if callable(getattr(module, name)) and name not in ("startup", "shutdown")]
for module, name in PUBLIC:
    fn = getattr(module, name)
    r = expect(IA, fn, noSuchArgument=1)
    check("noSuchArgument" in r["message"], "%s names the unknown keyword" % name, r["message"])
    expect(IA, fn, *([None] * 25))  # more than any public function takes
# Upstream-style and typo'd calls of the functions operators use most.
expect(IA, svc.start, workflow_name="t.noop")
expect(IA, svc.sendCommand, workflowId="x", command="HOLD")
expect(IA, svc.cancel, id="x")
check(rows() == 0, "refused calls left no row")

# -- NaN, infinities, out-of-range numbers
for value in (NAN, INF, -INF, 10 ** 20, 0):
    expect(IA, svc.start, "t.noop", {}, timeoutSeconds=value)
    expect(IA, svc.enqueueInMemory, "t.noop", {}, timeoutSeconds=value)
for value in (2 ** 31, -2 ** 31 - 1, 10 ** 30, 1.5, NAN):
    expect(IA, svc.start, "t.noop", {}, priority=value)
    expect(IA, svc.enqueueInMemory, "t.noop", {}, priority=value)
expect(IA, svc.start, "t.noop", {}, user="u" * 201)
expect(IA, svc.enqueueInMemory, "t.noop", {}, user="u" * 201)
for value in (NAN, INF, -1, 10 ** 6):
    expect(IA, admin.setRetention, maxAgeDays=value)
for value in (NAN, INF, 1):
    expect(IA, admin.configureRuntime, leaseSeconds=value)
expect(IA, admin.configureRuntime, limits={"maxInputBytes": NAN})
expect(IA, admin.configureRuntime, limits={"noSuchLimit": 5})
expect(IA, svc.listRuns, limit=NAN)
expect(IA, svc.listRuns, status=[1, 2])
expect(IA, svc.sendCommand, "x", "HOLD", reason="r" * 1001)
check(rows() == 0, "refused calls left no row")

# -- oversize and too-deep inputs, with the default limits (1 MB, depth 100)
big = {"x": "a" * 1100000}
deep = cur = {}
for _ in range(5000):
    cur["x"] = {}
    cur = cur["x"]
expect("INPUTS_TOO_LARGE", svc.start, "t.noop", big)
expect("INPUTS_TOO_LARGE", svc.enqueueInMemory, "t.noop", big)
expect("INPUTS_TOO_LARGE", svc.start, "t.noop", {"x": deep})
expect("INPUTS_TOO_LARGE", svc.enqueueInMemory, "t.noop", {"x": [deep]})
check(rows() == 0, "refused inputs left no row")
# The limits are settings: a site that needs bigger inputs says so.
ok(admin.configureRuntime(limits={"maxInputBytes": 2000000, "maxOutputBytes": 2000000}),
   "RUNTIME_CONFIGURED")
wid = ok(svc.start("t.noop", big), "WORKFLOW_ENQUEUED")["workflowId"]
check(wait_status(wid, "SUCCESS", 60)["status"] == "SUCCESS", "a 1.1 MB input runs under a 2 MB limit")
ok(admin.configureRuntime(limits={"maxInputBytes": 1000000, "maxOutputBytes": 1000000}),
   "RUNTIME_CONFIGURED")

# -- None means the default, as in the published examples
data = ok(svc.start("t.noop", None, queueName=None, priority=None, dbName=None), "WORKFLOW_ENQUEUED")
check(data["queueName"] == "default", "queueName=None is the default queue", data)
wait_status(data["workflowId"], "SUCCESS", 30)
ok(svc.getWorkflow(data["workflowId"], dbName=None), "WORKFLOW_FOUND")
ok(svc.listRuns(limit=None, offset=None, dbName=None), "RUNS_LISTED")
ok(svc.dispatch(queueName=None, dbName=None))
ok(svc.enqueueInMemory("t.noop", None, queueName=None, dbName=None), "IN_MEMORY_ENQUEUE_ACCEPTED")
ok(admin.getRetention(dbName=None), "RETENTION_POLICY")

# -- commands are case-insensitive
wid = ok(svc.start("t.steps", {"n": 40, "sleep_ms": 100}), "WORKFLOW_ENQUEUED")["workflowId"]
ok(svc.sendCommand(wid, "hold"), "COMMAND_SENT")
wait_status(wid, "HELD", 30)
ok(svc.sendCommand(wid, " Resume "), "COMMAND_SENT")
wait_status(wid, "RUNNING", 30)
ok(svc.sendCommand(wid, "stop"), "COMMAND_SENT")
check(wait_status(wid, "STOPPED", 30)["status"] == "STOPPED", "lower-case stop stops")

# -- idempotent start with a caller-chosen workflowId
first = ok(svc.start("t.steps", {"n": 2}, workflowId="batch-2026-12-03/B17"), "WORKFLOW_ENQUEUED")
check(first["workflowId"] == "batch-2026-12-03/B17", "the caller's id is the run's id", first)
wait_status("batch-2026-12-03/B17", "SUCCESS", 30)
before = rows()
again = ok(svc.start("t.steps", {"n": 2}, workflowId="batch-2026-12-03/B17"),
           "WORKFLOW_ALREADY_STARTED")
check(again["workflowId"] == "batch-2026-12-03/B17" and again["status"] == "SUCCESS",
      "a repeated start answers the existing run", again)
check(rows() == before, "a repeated start creates nothing")
effects = int(sql("SELECT COUNT(*) FROM app_effects WHERE workflow_id = ?",
                  ["batch-2026-12-03/B17"])[0][0])
check(effects == 2, "the run's steps ran once", effects)
expect("WORKFLOW_ID_CONFLICT", svc.start, "t.noop", {}, workflowId="batch-2026-12-03/B17")
for bad_id in ("", "x" * 65, "has space", "semi;colon", 5):
    expect(IA, svc.start, "t.noop", {}, workflowId=bad_id)
# In memory: a repeated id is dropped when flushed.
ok(svc.enqueueInMemory("t.noop", {}, workflowId="mem-1"), "IN_MEMORY_ENQUEUE_ACCEPTED")
ok(svc.enqueueInMemory("t.noop", {"x": 2}, workflowId="mem-1"), "IN_MEMORY_ENQUEUE_ACCEPTED")
ok(svc.dispatch(), None)
row = wait_status("mem-1", "SUCCESS", 30)
check(row["inputs"] == {}, "the first request with an id wins", row)
check(int(sql("SELECT COUNT(*) FROM %s WHERE workflow_id = 'mem-1'" % flows.STATUS_TABLE())[0][0]) == 1,
      "one row for the id")

finish()
