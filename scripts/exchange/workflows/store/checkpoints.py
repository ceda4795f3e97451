"""Statements on ``operation_outputs``: the recorded result of each durable
operation (step, sleep, received command, event, stream write) of a run."""
from exchange.workflows.store import db
from exchange.workflows.store.rows import toDicts

_OWNED = "('PENDING','RUNNING','HELD')"

STEP_COLUMNS = ("function_id", "function_name", "output", "error", "attempts",
                "started_ms", "finished_ms")

# One statement, one write: the INSERT happens only while this gateway still
# holds the run with its epoch and the run is unfinished. That guard is what
# fences a gateway that lost its claim, and it tells a worker that its run
# was cancelled, without any extra query on the normal path.
_RECORD = ("INSERT INTO {ops} (workflow_id, function_id, function_name, output, error, attempts, "
           "started_ms, finished_ms) SELECT ?, ?, ?, ?, ?, ?, ?, ? FROM {status} "
           "WHERE workflow_id = ? AND claim_epoch = ? AND status IN " + _OWNED)


def record(dbName, d, workflowId, epoch, functionId, name, output, error, attempts,
           startedMs, finishedMs, tx=None):
    """Records one operation; returns 1, or 0 if the run is no longer ours to write."""
    return db.update(dbName, d.sql(_RECORD), [
        workflowId, functionId, name, output, error, attempts, startedMs, finishedMs,
        workflowId, epoch], tx)


def load(dbName, d, workflowId):
    """Returns the run's recorded operations in order, as dicts."""
    ds = db.query(dbName, d.sql(
        "SELECT " + ", ".join(STEP_COLUMNS) + " FROM {ops} WHERE workflow_id = ? "
        "ORDER BY function_id"), [workflowId])
    return toDicts(ds, STEP_COLUMNS)


def at(dbName, d, workflowId, functionId):
    """Returns the operation recorded at ``functionId`` (a dict), or None."""
    ds = db.query(dbName, d.sql(
        "SELECT " + ", ".join(STEP_COLUMNS) + " FROM {ops} WHERE workflow_id = ? AND function_id = ?"),
        [workflowId, functionId])
    rows = toDicts(ds, STEP_COLUMNS)
    return rows[0] if rows else None


def page(dbName, d, workflowId, limit, offset):
    """Returns one page of the run's recorded operations in order, as dicts:
    what an operator reads (a run of 100,000 steps is never read whole)."""
    ds = db.query(dbName, d.sql(
        "SELECT " + ", ".join(STEP_COLUMNS) + " FROM {ops} WHERE workflow_id = ? "
        "ORDER BY function_id LIMIT ? OFFSET ?"), [workflowId, limit, offset])
    return toDicts(ds, STEP_COLUMNS)
