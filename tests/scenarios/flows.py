"""Workflows for engine scenarios. Importing this module registers them (as a
module imported from the Script Console would)."""
import time

import system

from exchange.workflows.bootstrap import getWorkflows, step, workflow
from exchange.workflows.engine import kernel
from exchange.workflows.steps.sleep import sleep_chunked

DB = "WorkflowsDB"


def ensure_tables():
    system.db.runPrepUpdate(
        "CREATE TABLE IF NOT EXISTS app_effects (workflow_id VARCHAR(64), tag VARCHAR(100), "
        "n INTEGER, ts BIGINT)", [], DB)


@step(name="t.effect")
def effect(tag, n=0):
    """A side effect: one row in app_effects per execution."""
    wid = getWorkflows().workflowId
    system.db.runPrepUpdate("INSERT INTO app_effects (workflow_id, tag, n, ts) VALUES (?, ?, ?, ?)",
                            [wid, tag, n, int(time.time() * 1000)], DB)
    return n


def effect_counts(wid):
    """{tag: executions} of run ``wid``'s effects."""
    rows = system.db.runPrepQuery("SELECT tag, COUNT(*) FROM app_effects WHERE workflow_id = ? "
                                  "GROUP BY tag", [wid], DB)
    return dict((r[0], int(r[1])) for r in rows)


@workflow(name="t.steps")
def steps(n=3, sleep_ms=0):
    total = 0
    for i in range(n):
        total += effect("s%d" % i, i)
        if sleep_ms:
            sleep_chunked(total_ms=sleep_ms, chunk_ms=50)
    return {"total": total}


@workflow(name="t.noop")
def noop(x=None):
    return {"x": x}


_attempts = {}


def _flaky_body(key, fail_times):
    _attempts[key] = _attempts.get(key, 0) + 1
    if _attempts[key] <= fail_times:
        raise ValueError("flaky failure %d" % _attempts[key])
    return _attempts[key]


@step(name="t.flaky3", options={"retries_allowed": True, "max_attempts": 3, "interval_seconds": 0.2,
                               "backoff_rate": 2.0})
def flaky3(key, fail_times):
    return _flaky_body(key, fail_times)


@step(name="t.flaky_once")
def flaky_once(key, fail_times):
    return _flaky_body(key, fail_times)


@workflow(name="t.retry")
def retry(fail_times=2, retries=True):
    wid = getWorkflows().workflowId
    if retries:
        return {"attempt": flaky3(wid, fail_times)}
    return {"attempt": flaky_once(wid, fail_times)}


@workflow(name="t.catch")
def catch():
    try:
        flaky_once(getWorkflows().workflowId + "c", 5)
    except ValueError as e:
        return {"caught": "ValueError", "message": str(e)}
    return {"caught": None}


class Opaque(object):
    pass


@step(name="t.opaque")
def opaque():
    return Opaque()


@workflow(name="t.badoutput")
def badoutput():
    opaque()
    return {"unreachable": True}


@workflow(name="t.fail")
def fail(message="boom"):
    raise RuntimeError(message)


@workflow(name="t.loop")
def loop(n=100, sleep_ms=100):
    """No command code at all: HOLD/STOP/cancel must still work."""
    rt = getWorkflows()
    for i in range(n):
        rt.checkCancelled()
        rt.progress("loop %d/%d" % (i + 1, n), {"i": i + 1})
        effect("loop", i)
        sleep_chunked(total_ms=sleep_ms, chunk_ms=50)
    return {"loops": n}


@workflow(name="t.sleeper")
def sleeper(total_ms=3000):
    effect("before")
    sleep_chunked(total_ms=total_ms, chunk_ms=100)
    effect("after")
    return {"slept": total_ms}


@workflow(name="t.commander")
def commander(max_seconds=30):
    """Handles its own commands, as in the docs' mailbox pattern."""
    rt = getWorkflows()
    state, received = "RUNNING", []
    deadline = time.time() + max_seconds
    while time.time() < deadline:
        cmd = rt.recvCommand(currentState=state, topic="cmd", timeoutSeconds=0.2, maxMessages=8)
        if not cmd:
            continue
        received.append(cmd.get("cmd"))
        if cmd.get("cmd") == "HOLD":
            state = "HELD"
        elif cmd.get("cmd") == "RESUME":
            state = "RUNNING"
        elif cmd.get("cmd") == "STOP":
            break
        rt.progress("got %s" % cmd.get("cmd"))
    return {"received": received}


@workflow(name="t.events")
def events(n=3):
    rt = getWorkflows()
    for i in range(n):
        rt.progress("step %d" % i)
        rt.writeStream("numbers", i)
        rt.setEvent("last", i)
    rt.writeStream("other", "x")
    return {"n": n}


@workflow(name="t.partition")
def partition(tag="p", hold_ms=300):
    effect(tag + ":start")
    sleep_chunked(total_ms=hold_ms, chunk_ms=50)
    effect(tag + ":end")
    return {"tag": tag}


@workflow(name="t.generation")
def generation(sleep_ms=0, _kernel=kernel):
    """Returns the code generation of the engine modules this function was
    defined with (bumped by each project save), before and after a sleep."""
    mine = _kernel.generation()
    if sleep_ms:
        sleep_chunked(total_ms=sleep_ms, chunk_ms=50)
    return {"generation": mine, "after": _kernel.generation()}


@step(name="t.halt")
def halt_gateway():
    """Kills this JVM at once, as a crashing native driver would."""
    from java.lang import Runtime
    Runtime.getRuntime().halt(9)


@workflow(name="t.crashloop")
def crashloop():
    halt_gateway()
    return {"unreachable": True}


def _table(name):
    """The engine's table name in this database (schema on PostgreSQL, prefix on SQLite)."""
    from exchange.workflows.engine import database
    return database.prepare(DB).dialect.names[name]


def STATUS_TABLE():
    return _table("status")


def OPS_TABLE():
    return _table("ops")
