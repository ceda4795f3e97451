"""Statements on ``operation_outputs``: the recorded result of each durable
operation (step, sleep, received command, event, stream write) of a run."""
from exchange.workflows.store import statuses
from exchange.workflows.store.records import OPERATION_COLUMNS, operations
from exchange.workflows.store.rows import toDicts

# One statement, one write: the INSERT happens only while this gateway still
# holds the run with its epoch and the run is unfinished. That guard is what
# fences a gateway that lost its claim, and it tells a worker that its run
# was cancelled, without any extra query on the normal path.
_RECORD = ("INSERT INTO {ops} (workflow_id, function_id, function_name, output, error, attempts, "
           "started_ms, finished_ms) SELECT ?, ?, ?, ?, ?, ?, ?, ? FROM {status} "
           "WHERE workflow_id = ? AND claim_epoch = ? AND status IN " + statuses.OWNED)


def record(store, workflowId, epoch, op, tx=None):
    """Records ``op`` (an Operation) for the run held with ``epoch``; returns
    1, or 0 if the run is no longer ours to write."""
    functionId, name, output, error, attempts, startedMs, finishedMs = op
    return store.update(_RECORD, [workflowId, functionId, name, output, error, attempts,
                                  startedMs, finishedMs, workflowId, epoch], tx)


def load(store, workflowId):
    """Returns the run's recorded Operations in order (its history to replay)."""
    return operations(store.query(
        "SELECT " + ", ".join(OPERATION_COLUMNS) + " FROM {ops} WHERE workflow_id = ? "
        "ORDER BY function_id", [workflowId]))


def at(store, workflowId, functionId):
    """Returns the Operation recorded at ``functionId``, or None."""
    rows = operations(store.query(
        "SELECT " + ", ".join(OPERATION_COLUMNS) + " FROM {ops} WHERE workflow_id = ? "
        "AND function_id = ?", [workflowId, functionId]))
    return rows[0] if rows else None


def page(store, workflowId, limit, offset):
    """Returns one page of the run's recorded operations in order, as dicts:
    what an operator reads (a run of 100,000 steps is never read whole)."""
    ds = store.query(
        "SELECT " + ", ".join(OPERATION_COLUMNS) + " FROM {ops} WHERE workflow_id = ? "
        "ORDER BY function_id LIMIT ? OFFSET ?", [workflowId, limit, offset])
    return toDicts(ds, OPERATION_COLUMNS)


def count(store, workflowId, tx=None):
    """How many operations the run has recorded."""
    return int(store.query("SELECT COUNT(*) FROM {ops} WHERE workflow_id = ?",
                           [workflowId], tx)[0][0])


def last(store, workflowId, tx=None):
    """Returns the run's last recorded Operation, or None."""
    rows = operations(store.query(
        "SELECT " + ", ".join(OPERATION_COLUMNS) + " FROM {ops} WHERE workflow_id = ? "
        "ORDER BY function_id DESC LIMIT 1", [workflowId], tx))
    return rows[0] if rows else None


def named(store, workflowId, prefix, tx=None):
    """Returns the run's Operations whose name starts with ``prefix`` (no
    ``%`` or ``_`` in it), in order."""
    return operations(store.query(
        "SELECT " + ", ".join(OPERATION_COLUMNS) + " FROM {ops} WHERE workflow_id = ? "
        "AND function_name LIKE ? ORDER BY function_id", [workflowId, prefix + "%"], tx))
