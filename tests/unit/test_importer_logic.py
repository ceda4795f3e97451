"""Pure mapping of admin.importUpstream (engine/importer.py) on CPython 3:
0.3.6's run, step, message, template and enum values as the engine stores
them. The import against real databases is tested in
tests/integration/test_upstream_import.py."""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from exchange.workflows.engine import importer  # noqa: E402
from exchange.workflows.store import imports  # noqa: E402


def _run(**over):
    run = {"workflowId": "8a1f0c52-4a57-4d0e-9a3b-0c5f2d9e7b11", "workflowName": "demo.mix",
           "status": "SUCCESS", "queueName": "default", "partitionKey": None, "priority": 2,
           "deduplicationId": None, "applicationVersion": None,
           "inputsJson": json.dumps({"resolved": {"batch": 7},
                                     "raw": {"resolved": {"batch": 7},
                                             "paramSource": {"template": {"name": "std",
                                                                          "version": 2}}},
                                     "__wf_control": {"timeout_seconds": 1.5}}),
           "resultJson": '{"ok":true}', "errorJson": None, "createdMs": 10, "updatedMs": 50,
           "startedMs": 20, "finishedMs": 40}
    run.update(over)
    return run


def _row(values):
    return dict(zip(imports.RUN_COLUMNS, values))


def test_a_finished_run_keeps_resolved_inputs_timeout_param_source_and_times():
    row = _row(importer.runValues(_run(), "SUCCESS", 0))
    assert json.loads(row["inputs"]) == {"batch": 7}
    assert row["timeout_ms"] == 1500
    assert json.loads(row["param_source"]) == {"template": {"name": "std", "version": 2}}
    assert json.loads(row["output"]) == {"ok": True}
    assert (row["created_ms"], row["started_ms"], row["finished_ms"]) == (10, 20, 40)
    assert row["created_by"] == importer.ORIGIN and row["priority"] == 2


def test_a_run_imported_enqueued_starts_over():
    row = _row(importer.runValues(_run(status="RUNNING", resultJson=None), "ENQUEUED", 3))
    assert row["status"] == "ENQUEUED" and row["cmd_seq"] == 3
    assert row["output"] is None and row["started_ms"] is None and row["finished_ms"] is None


def test_inputs_without_the_envelope_are_the_arguments():
    inputs, timeoutMs, source = importer.runInputs('{"batch": 1}')
    assert json.loads(inputs) == {"batch": 1} and timeoutMs is None and source is None
    assert json.loads(importer.runInputs(None)[0]) == {}


def test_errors_take_our_shape_and_keep_the_original():
    row = _row(importer.runValues(_run(status="ERROR", resultJson=None, errorJson=json.dumps(
        {"type": "workflow_error", "message": "boom", "traceback": "tb"})), "ERROR", 0))
    error = json.loads(row["error"])
    assert error["type"] == "workflow_error" and error["message"] == "boom"
    assert error["upstream"]["traceback"] == "tb"
    assert importer.errorRecord("plain text", "StepError") == {
        "type": "StepError", "message": "plain text", "upstream": "plain text"}


def test_steps_become_operations_and_an_unfinished_step_is_interrupted():
    base = {"callSeq": 1, "stepName": "charge", "outputJson": '{"kg": 3}', "errorJson": None,
            "startedMs": 5, "finishedMs": 9, "attempts": 2}
    ok = importer.operation("w", dict(base, status="SUCCESS"))
    assert ok[1:4] == (0, "charge", '{"kg":3}') and ok[4] is None and ok[5] == 2
    started = importer.operation("w", dict(base, status="STARTED", outputJson=None, finishedMs=None))
    assert started[3] is None and json.loads(started[4])["type"] == "Interrupted"


def test_messages_keep_order_and_commands_their_canonical_name():
    note = {"topic": "cmd", "messageJson": '{"cmd": "restart", "reason": "go"}', "createdMs": 7}
    row = importer.message("w", 1, note, None)
    payload = json.loads(row[3])
    assert payload["cmd"] == "RESUME" and payload["sender"] == importer.ORIGIN
    assert row[5] == "go" and row[7] is None and row[8] is None
    consumed = importer.message("w", 2, dict(note, topic="note", messageJson='"hi"'), 99)
    assert consumed[3] == '"hi"' and consumed[7:] == (99, "import")


def test_templates_are_read_as_saved_here_and_odd_ones_are_named():
    form = {"formProps": {"columns": {"items": [{"rows": {"items": [{"widgets": [
        {"id": "batch", "type": "number"}]}]}}]}, "data": {"batch": 4}}}
    doc, warning = importer.templateDoc("demo.mix", "shift", json.dumps(form))
    stored = json.loads(doc)
    assert warning is None and stored["formProps"]["name"] == "demo.mix.shift"
    assert stored["meta"]["paramKeys"] == ["batch"] and stored["meta"]["defaultData"] == {"batch": 4}
    doc, warning = importer.templateDoc("demo.mix", "odd", '{"batch": {"type": "int"}}')
    assert "no Form props" in warning and json.loads(doc)["upstream"] == {"batch": {"type": "int"}}


def test_statuses_and_enum_values():
    assert importer.status("inactive", "x") == ("obsolete", None)
    kept, warning = importer.status("retired", "enum e v1")
    assert kept == "obsolete" and "retired" in warning
    values, warning = importer.enumDoc("tanks", '[{"value": "t1"}]')
    assert warning is None and json.loads(values) == [{"label": "t1", "value": "t1",
                                                       "isDisabled": False}]
    values, warning = importer.enumDoc("tanks", "[]")
    assert json.loads(values) == [] and "tanks" in warning


def test_values_longer_than_our_columns_are_refused_by_name():
    assert importer.problem(_run()) is None
    assert "queueName" in importer.problem(_run(queueName="q" * 101))
