"""Secrets and bounded resources, pure logic on CPython 3: what an error
message keeps of a database failure, how secret inputs are masked, the
retention policy's ranges, the bounded SQL cache, the demo's bounds and that
the shipped apps register nothing. Through real databases and gwsim:
tests/integration/test_safety_secrets.py."""
import math
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from exchange.workflows import apps, demo  # noqa: E402
from exchange.workflows.core import errors  # noqa: E402
from exchange.workflows.core import masking  # noqa: E402
from exchange.workflows.engine import maintenance, registry  # noqa: E402
from exchange.workflows.core.errors import InvalidArguments  # noqa: E402
from exchange.workflows.store import db, dialects  # noqa: E402

SECRET = "pw-Xk39-secret"


class FakeJava(Exception):
    """A JDBC-style exception: getMessage, getCause, getSQLState."""

    def __init__(self, message, cause=None, state=None):
        Exception.__init__(self, message)
        self.cause, self.state = cause, state

    def getMessage(self):
        return str(self)

    def getCause(self):
        return self.cause

    def getSQLState(self):
        return self.state


def ignition_error(sql, args, driver_message, state=None):
    """What system.db raises on a gateway: the call repeated whole, the
    driver's SQLException as its cause."""
    call = "Error executing system.db.runPrepUpdate(%s, [%s], WorkflowsDB, , false, false)" % (
        sql, ", ".join(str(a) for a in args))
    return FakeJava(call, FakeJava(driver_message, state=state))


# -- what a database error keeps -------------------------------------------------------------
def test_the_sql_and_arguments_ignition_repeats_are_dropped():
    exc = ignition_error("INSERT INTO t (pw) VALUES (?)", [SECRET],
                         'ERROR: relation "t" does not exist', "42P01")
    name, message = errors.rootCause(exc)
    assert name == "FakeJava" and message == 'ERROR: relation "t" does not exist'
    assert SECRET not in errors.describe(exc) and "INSERT" not in errors.describe(exc)
    # The wrapper alone (no cause) keeps the function's name, not the call.
    assert errors.scrubText("Error executing system.db.runPrepQuery(SELECT ?, [%s], DB, )" % SECRET) \
        == "Error executing system.db.runPrepQuery(...)"


def test_a_client_scope_gateway_exception_loses_its_sql_text():
    text = 'SQL error for "UPDATE t SET pw = \'%s\'": ERROR: permission denied for table t' % SECRET
    assert errors.scrubText(text) == "SQL error: ERROR: permission denied for table t"


@pytest.mark.parametrize("driver_message,kept", [
    ('ERROR: duplicate key value violates unique constraint "t_pk"\n  Detail: Key (k)=(%s) '
     'already exists.' % SECRET, 'ERROR: duplicate key value violates unique constraint "t_pk"'),
    ('ERROR: null value in column "x" of relation "t" violates not-null constraint\n  Detail: '
     'Failing row contains (1, %s, null).' % SECRET,
     'ERROR: null value in column "x" of relation "t" violates not-null constraint'),
    ('ERROR: invalid input syntax for type integer: "%s"\n  Position: 8' % SECRET,
     'ERROR: invalid input syntax for type integer: "***"'),
    ('ERROR: value "%s" is out of range for type integer' % SECRET,
     'ERROR: value "***" is out of range for type integer'),
    ('ERROR: new row violates check constraint "c" Detail: Failing row contains (%s)' % SECRET,
     'ERROR: new row violates check constraint "c"'),
    ("Key (partition_key)=(%s) already exists." % SECRET, "Key (partition_key)=(***) already exists."),
    ("[SQLITE_CONSTRAINT_UNIQUE] A UNIQUE constraint failed (UNIQUE constraint failed: t.k)",
     "[SQLITE_CONSTRAINT_UNIQUE] A UNIQUE constraint failed (UNIQUE constraint failed: t.k)"),
])
def test_values_postgresql_echoes_are_removed_and_the_cause_kept(driver_message, kept):
    assert errors.scrubText(driver_message) == kept


def test_an_ordinary_message_is_left_alone():
    text = 'valve V3 did not open: "timeout" after 10 s'
    assert errors.scrubText(text) == text


def test_translate_keeps_root_cause_and_sqlstate_only():
    exc = ignition_error("INSERT INTO {status} VALUES (?, ?)", ["wid-1", SECRET],
                         'ERROR: duplicate key value violates unique constraint "wf_part"\n'
                         '  Detail: Key (partition_key)=(%s) already exists.' % SECRET, "23505")
    err = db.translate(exc, "WorkflowsDB", ["wid-1", SECRET])
    assert isinstance(err, db.UniqueViolation)
    text = str(err)
    assert SECRET not in text and "INSERT" not in text and "23505" in text
    assert 'unique constraint "wf_part"' in text
    assert err.sqlState == "23505" and SECRET not in err.driverMessage


def test_translate_masks_an_argument_a_driver_quotes_anywhere():
    exc = FakeJava("Error executing system.db.runPrepQuery(...)",
                   FakeJava("no such thing as %s here" % SECRET, state="42000"))
    err = db.translate(exc, "DB", [SECRET, 5])
    assert type(err) is db.DatabaseError and SECRET not in str(err) and "***" in str(err)


def test_translate_still_tells_an_outage_from_a_refused_statement():
    down = ignition_error("SELECT 1", [], "Connection refused", "08001")
    assert isinstance(db.translate(down, "DB"), db.DatabaseUnavailable)
    # "pool" in the SQL text or an argument no longer reads as an outage.
    refused = ignition_error("SELECT pool FROM t WHERE x = ?", ["pool"], 'ERROR: column "x"', "42703")
    assert type(db.translate(refused, "DB", ["pool"])) is db.DatabaseError


# -- tracebacks ------------------------------------------------------------------------------
def _fail_with_literal():
    raise ValueError("login refused")  # token = "pw-Xk39-secret" (sits on the raising line)


def test_stored_tracebacks_name_frames_without_source_lines():
    try:
        _fail_with_literal()
    except ValueError as e:
        rec = errors.toRecord(e)
        with_source = errors.safeTrace(withSource=True)
    assert rec["type"] == "ValueError" and rec["message"] == "login refused"
    assert "_fail_with_literal" in rec["traceback"] and "line " in rec["traceback"]
    assert SECRET not in rec["traceback"] and "raise ValueError" not in rec["traceback"]
    # The setting that asks for source lines shows them.
    assert "raise ValueError" in with_source


def test_a_java_error_is_recorded_by_its_root_cause():
    try:
        raise ignition_error("INSERT INTO t VALUES (?)", [SECRET], 'ERROR: relation "t" does not exist')
    except FakeJava as e:
        rec = errors.toRecord(e)
    assert rec["message"] == 'FakeJava: ERROR: relation "t" does not exist'
    assert SECRET not in str(rec)


def test_step_error_records_are_scrubbed_too():
    exc = errors.StepError("db.update", "SqlError", "failed: ERROR: x\n  Detail: Key (k)=(%s)" % SECRET)
    rec = errors.toRecord(exc, withTrace=False)
    assert rec == {"type": "SqlError", "message": "failed: ERROR: x", "step": "db.update"}


# -- masking ---------------------------------------------------------------------------------
def test_secret_inputs_are_masked_by_name_and_by_value():
    inputs = {"user": "op1", "password": SECRET, "pin": 4711, "nested": {"token": "tok-999999"}}
    names = frozenset(["password", "pin", "nested"])
    hide = masking.secretTexts(inputs, names)
    assert masking.maskInputs(inputs, names) == {"user": "op1", "password": "***", "pin": "***",
                                                 "nested": "***"}
    shown = masking.scrub({"msg": "logged in with %s" % SECRET, "pin": 4711, "list": ["tok-999999"],
                           "other": 4712}, hide)
    assert shown == {"msg": "logged in with ***", "pin": "***", "list": ["***"], "other": 4712}
    assert masking.maskText("token tok-999999 refused", hide) == "token *** refused"


def test_unknown_secret_names_mask_every_input():
    assert masking.maskInputs({"a": 1, "b": "x"}, None) == {"a": "***", "b": "***"}
    assert masking.maskInputs(None, None) is None


def test_a_short_secret_is_masked_as_a_whole_value_only():
    hide = masking.secretTexts({"pin": "42"}, ["pin"])
    assert masking.scrub({"a": "42", "b": "step 42 of 50"}, hide) == {"a": "***", "b": "step 42 of 50"}


def test_secret_inputs_must_name_the_function_parameters():
    def fn(user, password=None):
        return user

    wdef = registry.WorkflowDef("t.login", fn, {}, ["password"])
    assert wdef.secretInputs == frozenset(["password"]) and wdef.fn is not fn
    assert registry.WorkflowDef("t.plain", fn, {}).fn is fn
    with pytest.raises(InvalidArguments):
        registry.WorkflowDef("t.typo", fn, {}, ["passwd"])
    with pytest.raises(InvalidArguments):
        registry.WorkflowDef("t.text", fn, {}, "password")

    def anyKw(**kwargs):
        return kwargs

    assert registry.WorkflowDef("t.kw", anyKw, {}, ["token"]).secretInputs == frozenset(["token"])


def test_listings_show_inputs_as_every_answer_does():
    from exchange.workflows.engine import queries

    @registry.workflow(name="t.unit.secret", secretInputs=["password"])
    def secret(user, password):
        return user

    @registry.workflow(name="t.unit.plain")
    def plain(user):
        return user

    try:
        assert queries.shownInputs("t.unit.secret", {"user": "u", "password": SECRET}) == {
            "user": "u", "password": "***"}
        assert queries.shownInputs("t.unit.plain", {"user": "u"}) == {"user": "u"}
        assert queries.shownInputs("t.unit.gone", {"user": "u"}) == {"user": "***"}
        assert queries.shownInputs("t.unit.secret", '{"password": "not json') == "***"
        names, hide = queries._secrets("t.unit.secret", '{"user": "u", "password": "%s"}' % SECRET)
        assert names == frozenset(["password"]) and hide == (SECRET,)
    finally:
        registry.unregister("t.unit.secret")
        registry.unregister("t.unit.plain")


# -- retention -------------------------------------------------------------------------------
@pytest.mark.parametrize("age,rows,batch", [
    (float("nan"), None, 500), (float("inf"), None, 500), (-1, None, 500), (36501, None, 500),
    (None, -5, 500), (None, 1.5, 500), (None, None, 0), (None, None, 10001), (None, None, True),
    ("30", None, 500),
])
def test_retention_values_must_be_finite_and_in_range(age, rows, batch):
    with pytest.raises(InvalidArguments):
        maintenance.checkRetention(age, rows, batch)


def test_a_valid_retention_policy_is_normalised():
    assert maintenance.checkRetention(30.0, 1000, 200) == {"maxAgeDays": 30, "maxRows": 1000,
                                                           "batchSize": 200}
    assert maintenance.checkRetention(0.5, None, 1)["maxAgeDays"] == 0.5


def test_a_stored_nan_policy_is_a_problem_not_keep_forever():
    policy, problem = maintenance._stored(['{"maxAgeDays": NaN, "maxRows": null, "batchSize": 500}'])
    assert problem and "maxAgeDays" in problem and math.isnan(policy["maxAgeDays"])
    policy, problem = maintenance._stored(['{"maxAgeDays": 7, "batchSize": 100}'])
    assert problem is None and policy == {"maxAgeDays": 7, "maxRows": None, "batchSize": 100}
    assert maintenance._stored(['[1, 2]'])[1]


# -- bounded SQL cache -----------------------------------------------------------------------
def test_the_dialect_sql_cache_stays_bounded_whatever_callers_build():
    d = dialects.Dialect("sqlite", "%(schema)s_%(table)s", dict(dialects.SQLITE.settings))
    for n in range(dialects.CACHE_LIMIT + 500):
        assert d.sql("SELECT %d FROM {status}" % n) == "SELECT %d FROM workflows_workflow_status" % n
    assert len(d._cache) == dialects.CACHE_LIMIT
    fresh = dialects.Dialect("sqlite", "%(schema)s_%(table)s", dict(dialects.SQLITE.settings))
    long_sql = "INSERT INTO {status} VALUES " + ", ".join(["(?, ?)"] * 1000)
    assert fresh.sql(long_sql).startswith("INSERT INTO workflows_workflow_status")
    assert len(fresh._cache) == 0


# -- demo and shipped registrations ----------------------------------------------------------
def test_the_shipped_project_registers_no_demo():
    assert apps.MODULES == []


@pytest.mark.parametrize("call", [
    lambda: demo.demo_small(duration_s=10 ** 12),
    lambda: demo.demo_small(duration_s=float("nan")),
    lambda: demo.demo_small(duration_s="10"),
    lambda: demo.one_minute_progress(chunk_sec=0.0, total_sec=60),
    lambda: demo.one_minute_progress(chunk_sec=0.05, total_sec=3600),
    lambda: demo.one_minute_progress(batch="x" * 101),
])
def test_demo_inputs_are_bounded(call):
    with pytest.raises(ValueError):
        call()
