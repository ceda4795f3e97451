"""Workflows that plant secrets where they used to leak (for safety_secrets.py):
a secret input, a literal on a line that raises (so it sits in a traceback's
source line), and a literal passed as the argument of a failing SQL
statement. The literals are written out on the lines that use them on
purpose: that is how they end up in a traceback or in an echoed call."""
import system

from exchange.workflows.bootstrap import getWorkflows, step, workflow
from exchange.workflows.core.errors import StepError
from exchange.workflows.steps import db

DB = "WorkflowsDB"


def ensure_tables():
    system.db.runPrepUpdate("CREATE TABLE IF NOT EXISTS sec_unique (k VARCHAR(100) PRIMARY KEY)", [], DB)


@step(name="sec.use")
def use(user, password):
    """A step given the secret: its arguments are not recorded, its result is."""
    return {"session": "%s/%s" % (user, password)}


@step(name="sec.refuse")
def refuse(user, password):
    """A step that fails with the secret in its message, retried once."""
    raise ValueError("device refused %s with %s" % (user, password))


@workflow(name="sec.login", secretInputs=["password"])
def login(user, password):
    """Puts its secret input everywhere a workflow can: progress, a step's
    result, an event, a stream, a retried step's error, its own error."""
    rt = getWorkflows()
    rt.progress("connecting as %s with %s" % (user, password))
    use(user, password)
    rt.setEvent("credential", password)
    rt.writeStream("attempts", {"password": password})
    try:
        refuse.withOptions({"retries_allowed": True, "max_attempts": 2,
                            "interval_seconds": 0.1})(user, password)
    except ValueError:  # a step's builtin error reaches the workflow as its own class
        pass
    raise RuntimeError("login refused for %s (password %s)" % (user, password))


@workflow(name="sec.echo", secretInputs=["password"])
def echo(user, password):
    """Succeeds, returning its secret input."""
    return {"user": user, "password": password}


def check_token(token):
    raise ValueError("token refused")


@step(name="sec.literal_step")
def literal_step():
    return check_token(token="sEcReT-literal-77b2e0")


@workflow(name="sec.literal")
def literal():
    try:
        literal_step()
    except ValueError:
        pass
    check_token(token="sEcReT-literal-77b2e0")


@workflow(name="sec.marker")
def marker():
    """For the setting that keeps source lines: a harmless literal."""
    check_token(token="visible-source-marker")


@workflow(name="sec.sql_direct")
def sql_direct():
    """Uncaught: the Java error of system.db, whose message repeats the call."""
    system.db.runPrepUpdate("INSERT INTO sec_missing_table (v) VALUES (?)", ["sEcReT-sqlarg-13d5ff"], DB)


@workflow(name="sec.sql_steps")
def sql_steps():
    """Through the db steps: a duplicate key (PostgreSQL's Detail repeats the
    value), then a cast PostgreSQL refuses quoting the value (retried once)."""
    db.update(DB, "INSERT INTO sec_unique (k) VALUES (?)", ["sEcReT-sqlarg-13d5ff"])
    failures = 0
    try:
        db.update(DB, "INSERT INTO sec_unique (k) VALUES (?)", ["sEcReT-sqlarg-13d5ff"])
    except StepError:
        failures += 1
    try:
        db.query.withOptions({"max_attempts": 2, "interval_seconds": 0.1})(
            DB, "SELECT CAST(? AS INTEGER) AS n", ["sEcReT-sqlarg-13d5ff"])
    except StepError:
        failures += 1
    if failures:
        raise RuntimeError("%d statements failed" % failures)
    return {"failures": failures}
