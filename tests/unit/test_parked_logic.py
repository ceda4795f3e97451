"""Pure logic of poison isolation on CPython 3: how a database refusal is told
(root cause, no values) and classified, the in-memory queue's byte bound,
and the check of a parked request before it becomes a run again. Behaviour
with real databases is tested in tests/integration/test_safety_poison.py."""
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from exchange.workflows.engine import burst, parking  # noqa: E402
from exchange.workflows.core.errors import DatabaseError, InvalidArguments  # noqa: E402
from exchange.workflows.store import parked, runs  # noqa: E402


def _refusal(state, message):
    e = DatabaseError("Database 'X' rejected a statement: Error executing "
                      "system.db.runPrepUpdate(INSERT ..., [secret-value])")
    e.sqlState, e.driverMessage = state, message
    return e


@pytest.mark.parametrize("state, message, expected, row", [
    ("22001", "ERROR: value too long for type character varying(200)",
     "a text value is longer than its column (SQLState 22001)", True),
    ("22003", "ERROR: integer out of range", "a number is out of its column's range (SQLState 22003)",
     True),
    ("23502", 'ERROR: null value in column "queue_name" of relation "workflow_status" violates '
              'not-null constraint\n  Detail: Failing row contains (secret-value, ...).',
     "a required column is empty (NOT NULL): column queue_name (SQLState 23502)", True),
    ("P0001", "ERROR: refused secret-value\n  Where: PL/pgSQL function",
     "a database trigger refused the row (SQLState P0001)", False),
    ("42501", "ERROR: permission denied for table workflow_status",
     "the database refused the row (SQLState 42501)", False),
    ("", "[SQLITE_CONSTRAINT_NOTNULL] A NOT NULL constraint failed (NOT NULL constraint failed: "
         "workflows_workflow_status.queue_name)",
     "a required column is empty (NOT NULL): workflows_workflow_status.queue_name "
     "(SQLITE_CONSTRAINT_NOTNULL)", True),
    ("", "[SQLITE_CONSTRAINT_TRIGGER] A RAISE function within a trigger fired, causing the SQL "
         "statement to abort (secret-value)",
     "a database trigger refused the row (SQLITE_CONSTRAINT_TRIGGER)", False),
])
def test_a_refusal_is_told_by_its_root_cause_without_values(state, message, expected, row):
    e = _refusal(state, message)
    assert parked.reasonOf(e) == expected
    assert "secret" not in parked.reasonOf(e)
    assert parked.isRowRefusal(e) is row


def test_an_error_without_driver_details_is_a_database_problem():
    e = DatabaseError("Database 'X' is neither PostgreSQL nor SQLite")
    assert parked.isRowRefusal(e) is False
    assert parked.reasonOf(e) == "the database refused the row (SQLState ?)"


class _Counter(object):
    def __init__(self):
        self.value = 0

    def get(self):
        return self.value

    def compareAndSet(self, expected, value):
        if self.value != expected:
            return False
        self.value = value
        return True

    def addAndGet(self, delta):
        self.value += delta
        return self.value


class _Queue(object):
    def __init__(self):
        self.items = []

    def offer(self, item):
        self.items.append(item)
        return True

    def size(self):
        return len(self.items)


def _row(inputs):
    return ("id", "wf", "ENQUEUED", "default", None, 0, None, None, inputs, None, None, 0, 0)


def test_the_in_memory_queue_refuses_a_row_beyond_its_byte_bound(monkeypatch):
    queue = _Queue()
    fake = {"burstItems": queue, "burstCount": _Counter(), "knownDatabases": {"DB": True},
            "burstBytes": _Counter(),
            "config": {"inMemoryMaxBytes": 100}}
    monkeypatch.setattr(burst.kernel, "get", lambda: fake)
    assert burst.offer("DB", _row("x" * 60)) == 1
    assert burst.offer("DB", _row("y" * 50)) == 0  # 110 > 100: refused, nothing held for it
    assert fake["burstBytes"].value == 60 and len(queue.items) == 1
    assert fake["burstCount"].value == 1
    assert burst.offer("DB", _row("z" * 40)) == 2  # exactly at the bound
    assert fake["burstBytes"].value == 100


def test_an_accepted_offer_is_never_reported_as_a_full_queue(monkeypatch):
    """A flusher may drain the row (and give its place back) before the
    offer returns: the caller must still hear "accepted", or it would retry
    and run it twice. A full queue refuses and holds nothing for the row."""

    class DrainedAtOnce(object):
        """A flusher takes the row as soon as it lands."""

        def __init__(self, fake):
            self.fake = fake

        def offer(self, item):
            self.fake["burstCount"].addAndGet(-1)
            self.fake["burstBytes"].addAndGet(-len(item[1][8]))
            return True

    for held, expected in ((0, 1), (1, 0)):
        fake = {"knownDatabases": {"WorkflowsDB": True}, "burstBytes": _Counter(),
                "burstCount": _Counter(), "config": {"inMemoryCapacity": 1}}
        fake["burstCount"].value = held
        fake["burstItems"] = DrainedAtOnce(fake)
        monkeypatch.setattr(burst.kernel, "get", lambda fake=fake: fake)
        assert burst.offer("WorkflowsDB", _row("{}")) == expected
        assert fake["burstBytes"].value == 0  # drained at once, or refused: nothing held
        assert fake["burstCount"].value == held


def test_a_request_for_an_unknown_connection_is_refused_at_offer(monkeypatch):
    fake = {"burstItems": _Queue(), "burstCount": _Counter(), "knownDatabases": {},
            "burstBytes": _Counter(), "config": {}}
    monkeypatch.setattr(burst.kernel, "get", lambda: fake)
    monkeypatch.setattr(burst, "_connectionExists", lambda dbName, strict=False: False)
    with pytest.raises(InvalidArguments) as refused:
        burst.offer("WorkflowDB", _row("{}"))
    assert refused.value.code == "UNKNOWN_DATABASE"
    assert fake["burstBytes"].value == 0


def _request(**changes):
    request = dict(zip(runs.INSERT_COLUMNS, ("abc", "t.noop", "ENQUEUED", "default", None, 3,
                                             None, None, '{"x": 1}', None, "op", 5, 5)))
    request.update(changes)
    return request


def test_a_valid_parked_request_becomes_an_enqueued_row():
    row = parking._rowOf(_request(status="RUNNING"))
    assert row[:9] == ("abc", "t.noop", "ENQUEUED", "default", None, 3, None, None, '{"x": 1}')
    assert row[11] == 5 and row[12] > 5


@pytest.mark.parametrize("changes, column", [
    ({"created_by": "u" * 201}, "created_by"),
    ({"priority": 2 ** 40}, "priority"),
    ({"queue_name": None}, "queue_name"),
    ({"workflow_id": "w" * 65}, "workflow_id"),
    ({"inputs": {"x": 1}}, "inputs"),
])
def test_a_parked_request_the_run_table_cannot_hold_is_refused_by_column(changes, column):
    with pytest.raises(InvalidArguments) as refused:
        parking._rowOf(_request(**changes))
    assert refused.value.code == "PARKED_REQUEST_INVALID"
    assert column in str(refused.value)
    assert "uuuu" not in str(refused.value)
