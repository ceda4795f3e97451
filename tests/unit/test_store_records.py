"""The store's named records and the status lists its SQL is built from."""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from exchange.workflows.core import states  # noqa: E402
from exchange.workflows.store import dialects, records, statuses  # noqa: E402
from exchange.workflows.store.handle import Store  # noqa: E402

STORE = os.path.join(ROOT, "scripts", "exchange", "workflows", "store")
ENGINE = os.path.join(ROOT, "scripts", "exchange", "workflows", "engine")


def test_status_lists_are_the_groups_of_core_states():
    assert statuses.OWNED == ("('PENDING','RUNNING','HELD','HOLDING','RESTARTING','STOPPING',"
                              "'ABORTING')")
    assert statuses.ACTIVE == ("('ENQUEUED','PENDING','RUNNING','HELD','HOLDING','RESTARTING',"
                               "'STOPPING','ABORTING')")
    assert statuses.FINISHED == ("('SUCCESS','ERROR','CANCELLED','STOPPED','ABORTED',"
                                 "'DEAD_LETTER')")
    assert statuses.RELEASABLE == "('PENDING','RUNNING')"
    assert set(states.ACTIVE) | set(states.FINISHED) == set(states.ALL)
    assert not set(states.ACTIVE) & set(states.FINISHED)


def test_no_module_writes_a_status_list_by_hand_but_the_frozen_migrations():
    literal = re.compile(r"\(\s*'[A-Z_]+'\s*,")
    for folder in (STORE, ENGINE):
        for name in sorted(os.listdir(folder)):
            # ddl_mariadb.py and ddl_mssql.py hold frozen DDL, like schema.py.
            if name.endswith(".py") and name not in ("schema.py", "ddl_mariadb.py", "ddl_mssql.py",
                                                     "statuses.py"):
                with open(os.path.join(folder, name)) as f:
                    assert not literal.search(f.read()), name


def test_a_run_row_has_a_named_field_per_column_and_is_fresh_only_when_told():
    values = ["wid", "wf", states.RUNNING, "q", "{}", 3, None, None, 10, 0, 2, None]
    row = records.RunRow(*values)
    assert [getattr(row, f) for f in records._RUN_FIELDS] == values
    assert records._RUN_FIELDS[0] == "workflowId" and len(values) == len(records.RUN_COLUMNS)
    assert row.fresh is False
    assert not hasattr(row, "__dict__")  # __slots__: no dict per claimed row
    row.deadlineMs = 5
    assert "deadlineMs=5" in repr(row)


def test_records_are_built_from_result_rows_in_column_order():
    ds = [["wid", "wf", "HELD", "q", "{}", 3, 60000, 70000, 10, 1, 0, "v1"]]
    (row,) = records.runRows(ds)
    assert (row.workflowId, row.status, row.claimEpoch, row.recoveryAttempts,
            row.applicationVersion) == ("wid", "HELD", 3, 1, "v1")
    (op,) = records.operations([[4, "t.step", "1", None, 2, 100, 105]])
    assert op == records.Operation(4, "t.step", "1", None, 2, 100, 105)
    assert (op.functionId, op.functionName, op.attempts, op.finishedMs) == (4, "t.step", 2, 105)
    runs, more = records.Claimed([row], True)
    assert runs == [row] and more is True


def test_a_store_handle_fills_in_its_own_dialect_table_names():
    assert Store("A", dialects.SQLITE).sql("SELECT 1 FROM {status}") == \
        "SELECT 1 FROM workflows_workflow_status"
    assert Store("B", dialects.POSTGRES).sql("SELECT 1 FROM {status}") == \
        "SELECT 1 FROM workflows.workflow_status"
