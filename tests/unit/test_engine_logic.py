"""Fast tests of the engine's pure logic on CPython 3. Nothing here touches a
database: behaviour with real databases is tested through tools/gwsim."""
import importlib
import json
import os
import pkgutil
import re
import sys
import threading
import uuid

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from exchange.workflows.core import codec  # noqa: E402
from exchange.workflows.engine import ids, registry, stepper, submit  # noqa: E402
from exchange.workflows.core.errors import InvalidArguments, NotSerializable, StepError  # noqa: E402
from exchange.workflows.store import db, dialects  # noqa: E402
from exchange.workflows.store.rows import camel  # noqa: E402


def test_every_module_under_scripts_imports_on_cpython3():
    import exchange.workflows as pkg
    names = [m.name for m in pkgutil.walk_packages(pkg.__path__, "exchange.workflows.")]
    assert len(names) > 30
    for name in names:
        importlib.import_module(name)


def test_workflow_ids_are_unique_uuids_in_creation_order():
    made = [ids.newWorkflowId() for _ in range(5000)]
    assert len(set(made)) == len(made)
    assert made == sorted(made)
    for wid in made[:50]:
        assert uuid.UUID(wid).version == 7


def test_workflow_ids_made_by_many_threads_are_unique_and_ordered_per_thread():
    made = [[] for _ in range(8)]

    def make(out):
        for _ in range(2000):
            out.append(ids.newWorkflowId())

    threads = [threading.Thread(target=make, args=(out,)) for out in made]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = [w for out in made for w in out]
    assert len(set(everything)) == len(everything)
    assert all(out == sorted(out) for out in made)
    assert all(w == w.lower() and uuid.UUID(w).version == 7 for w in everything[::97])


def test_codec_round_trips_plain_data_and_refuses_objects():
    value = {"a": [1, 2.5, None, True], "b": {"c": "text"}}
    assert codec.decode(codec.encode(value)) == value
    with pytest.raises(NotSerializable):
        codec.encode({"x": object()})
    assert codec.decode(None) is None


@pytest.mark.parametrize("value", [
    {},
    {"k": 3},
    {"i": 7, "big": 2 ** 70, "f": 1.5, "tiny": 1e-300, "t": True, "n": None},
    {"nan": float("nan"), "inf": float("inf"), "minf": float("-inf")},
    {"s": "caf\u00e9 \u2603 \U0001F600", "esc": "quote\" back\\ nl\n \x01", "cl\u00e9": 1},
    {"nested": {"a": [1, None, {"b": "x"}]}, "tuple": (1, 2)},
    [1, {"a": 2}],
    "text",
])
def test_codec_writes_what_json_dumps_writes(value):
    assert codec.encode(value) == json.dumps(value, separators=(",", ":"))


def test_codec_refuses_values_that_contain_themselves():
    loop = {}
    loop["self"] = loop
    for value in (loop, {"x": [loop]}):
        with pytest.raises(NotSerializable):
            codec.encode(value)


@pytest.mark.parametrize("value, required, message", [
    (None, True, "name must be a non-empty string."),
    ("  ", False, "name must be a non-empty string or None."),
    (5, False, "name must be a non-empty string or None."),
    ("x" * 11, False, "name is longer than 10 characters."),
])
def test_text_arguments_are_refused_with_the_same_messages(value, required, message):
    with pytest.raises(InvalidArguments) as e:
        submit._text("name", value, 10, required=required)
    assert str(e.value) == message


def test_text_arguments_pass_through():
    assert submit._text("name", None, 10) is None
    assert submit._text("name", " q ", 10, required=True) == " q "


@pytest.mark.parametrize("inputs, kwargs", [
    (None, {}),
    ({"resolved": {"chunk_sec": 5}}, {"chunk_sec": 5}),
    ({"chunk_sec": 5}, {"chunk_sec": 5}),
    ({"resolved": None}, {}),
])
def test_inputs_become_keyword_arguments(inputs, kwargs):
    assert submit.kwargsOf(inputs) == kwargs


@pytest.mark.parametrize("inputs", ["text", [1], {"resolved": 5}, {1: 2}])
def test_inputs_that_are_not_keyword_arguments_are_refused(inputs):
    with pytest.raises(InvalidArguments):
        submit.kwargsOf(inputs)


def test_step_options_follow_dbos_names_and_are_validated():
    opts = registry.stepOptions({"retries_allowed": True, "max_attempts": 5})
    assert opts == {"retries_allowed": True, "max_attempts": 5, "interval_seconds": 1.0,
                    "backoff_rate": 2.0}
    for bad in ({"max_attempt": 3}, {"max_attempts": 0}, {"backoff_rate": 0.5}):
        with pytest.raises(InvalidArguments):
            registry.stepOptions(bad)


def test_recorded_step_errors_rebuild_builtin_types_and_wrap_the_rest():
    exc = stepper.rebuild({"type": "ValueError", "message": "bad", "step": "s"})
    assert type(exc) is ValueError and str(exc) == "bad"
    exc = stepper.rebuild({"type": "WriteNotConfirmed", "message": "late", "step": "tags.write_confirm"})
    assert isinstance(exc, StepError) and exc.errorType == "WriteNotConfirmed"
    assert exc.stepName == "tags.write_confirm"


def test_dialects_map_table_names_and_fill_every_placeholder():
    sql = "SELECT 1 FROM {status} s JOIN {ops} o ON 1=1 LIMIT 1{skipLocked}"
    assert dialects.POSTGRES.sql(sql) == (
        "SELECT 1 FROM workflows.workflow_status s JOIN workflows.operation_outputs o ON 1=1 "
        "LIMIT 1 FOR UPDATE SKIP LOCKED")
    assert dialects.SQLITE.sql(sql) == (
        "SELECT 1 FROM workflows_workflow_status s JOIN workflows_operation_outputs o ON 1=1 LIMIT 1")
    for name in dialects.POSTGRES.names.values():
        assert re.match(r"^[a-z_][a-z0-9_.]*$", name)


def test_every_statement_in_the_store_formats_for_both_dialects():
    from exchange.workflows.store import schema
    for migration in schema.MIGRATIONS:
        for statement in migration:
            for d in (dialects.POSTGRES, dialects.SQLITE):
                assert "{" not in d.sql(statement)


class _SqlErr(Exception):
    def __init__(self, msg, state):
        Exception.__init__(self, msg)
        self.state = state

    def getSQLState(self):
        return self.state

    def getCause(self):
        return None


def test_database_failures_are_classified_for_operators():
    assert isinstance(db.translate(_SqlErr("Connection refused", "08001"), "DB"), db.DatabaseUnavailable)
    assert isinstance(db.translate(_SqlErr("duplicate key value", "23505"), "DB"), db.UniqueViolation)
    err = db.translate(_SqlErr("syntax error at or near", "42601"), "DB")
    assert type(err) is db.DatabaseError and "42601" in str(err)


def test_camel_case_keys():
    assert camel("workflow_id") == "workflowId"
    assert camel("created_ms") == "createdMs"
    assert camel("status") == "status"


def test_sqlite_older_than_3_35_is_refused_by_version():
    from exchange.workflows.store import dialects
    assert dialects.sqliteVersionTuple("3.45.1") >= dialects.MIN_SQLITE
    assert dialects.sqliteVersionTuple("3.35.0") >= dialects.MIN_SQLITE
    assert dialects.sqliteVersionTuple("3.34.1") < dialects.MIN_SQLITE
    assert dialects.sqliteVersionTuple("garbage") < dialects.MIN_SQLITE
    assert dialects.SQLITE.settings["setsIsolation"] is False
