"""Issue 13 item 4: admin.importUpstream brings a database created with
ignition-workflows 0.3.6's DDL (tests/fixtures/upstream036_postgresql.sql,
plus the rows below) into the engine's tables, through tools/gwsim on
SQLite and PostgreSQL; the checks are listed in tests/scenarios/upstream_import.py.
0.3.6's tables are the same before and after, row for row."""
import json

from tests.support import db as dbq
from tests.support import upstream036

FAILED = "3e9b1d77-0c2a-4b5e-8f61-7a4c2e9d0b44"
CANCELLED = "6f0c8a13-9d4e-4a27-b3f5-1e8d7c2b6a55"
DONE = "8a1f0c52-4a57-4d0e-9a3b-0c5f2d9e7b11"


def _quote(value):
    return "'%s'" % value.replace("'", "''")


# A template as 0.3.6's Template Editor saves it: Form props and their meta.
_FORM = {"formProps": {"name": "demo.mix.shift",
                       "columns": {"items": [{"rows": {"items": [{"widgets": [
                           {"id": "batch", "type": "number"},
                           {"id": "tank", "type": "dropdown", "dropdown": {"options": [
                               {"label": "@enum:tanks", "value": "__enum__"}]}}]}]}}]},
                       "data": {"batch": 9, "tank": "tank-1"}},
         "meta": {"paramKeys": ["batch", "tank"]}}
_TANKS = [{"label": "Tank 1", "value": "tank-1", "isDisabled": False},
          {"label": "Tank 2", "value": "tank-2", "isDisabled": False}]

# More of 0.3.6's rows: a run that failed in its second step, one cancelled
# before it started, a message the finished run never received, a template
# with Form props and a second enum version.
MORE_ROWS = """
INSERT INTO workflows.workflow_status (workflow_id, workflow_name, status, queue_name, priority,
        inputs_json, error_json, created_at_epoch_ms, updated_at_epoch_ms, started_at_epoch_ms,
        completed_at_epoch_ms)
    VALUES ('%(failed)s', 'demo.mix', 'ERROR', 'default', 0,
            '{"resolved": {"batch": 9}, "raw": {"resolved": {"batch": 9}}, "__wf_control": {"timeout_seconds": 90}}',
            '{"type": "workflow_error", "message": "boom", "traceback": "Traceback: line 3"}',
            1700000300000, 1700000309000, 1700000301000, 1700000309000),
           ('%(cancelled)s', 'demo.fill', 'CANCELLED', 'default', 0, '{"resolved": {"litres": 5}}',
            NULL, 1700000400000, 1700000401000, NULL, 1700000401000);
INSERT INTO workflows.operation_outputs (workflow_id, call_seq, step_name, status, output_json,
        error_json, started_at_epoch_ms, completed_at_epoch_ms, attempts)
    VALUES ('%(failed)s', 1, 'charge', 'SUCCESS', '{"kg": 9}', NULL, 1700000302000,
            1700000303000, 1),
           ('%(failed)s', 2, 'mix', 'ERROR', NULL,
            '{"type": "step_error", "message": "valve stuck"}', 1700000304000, 1700000308000, 3);
INSERT INTO workflows.notifications (destination_uuid, topic, message_json, created_at_epoch_ms)
    VALUES ('%(done)s', 'note', '{"text": "shift change"}', 1700000005000);
INSERT INTO workflows.param_templates VALUES
    ('demo.mix', 'shift', 1, %(form)s, 'active', 'shift recipe', 'ann', 1690000300000);
INSERT INTO workflows.param_enums VALUES
    ('tanks', 2, %(tanks)s, 'active', 'two tanks', 'bob', 1690000400000);
""" % {"failed": FAILED, "cancelled": CANCELLED, "done": DONE,
       "form": _quote(json.dumps(_FORM)), "tanks": _quote(json.dumps(_TANKS))}


def test_0_3_6_history_templates_and_enums_are_imported_once(gwsim, db_url):
    upstream036.load(db_url)
    dbq.execute(db_url, upstream036.sql_for(db_url, MORE_ROWS))
    before = upstream036.snapshot(db_url)
    assert before["workflow_status"]["rows"] == 5

    r = gwsim.run("upstream_import.py", db_url, timeout=300)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
    assert upstream036.snapshot(db_url) == before
