"""Deleting finished runs (and everything recorded for them) in small
batches, and the retention hold that exempts a run from it."""
from exchange.workflows.store import statuses

_CHILDREN = (("ops", "workflow_id"), ("mail", "workflow_id"), ("events", "workflow_id"),
             ("streams", "workflow_id"), ("eventHistory", "workflow_id"),
             ("prompts", "workflow_id"), ("transitions", "workflow_id"))
# Runs retention may delete: finished, and not held by an operator.
_EXPIRABLE = "status IN " + statuses.FINISHED + " AND retention_hold = 0"


def olderThan(store, cutoffMs, limit):
    """Ids of up to ``limit`` deletable runs that finished before ``cutoffMs``, oldest first."""
    ds = store.query(
        "SELECT workflow_id FROM {status} WHERE finished_ms IS NOT NULL AND finished_ms < ? "
        "AND " + _EXPIRABLE + " ORDER BY finished_ms LIMIT ?", [cutoffMs, limit])
    return [r[0] for r in ds]


def rowCountCutoff(store, keepRows):
    """The finished_ms of the newest deletable run beyond the ``keepRows``
    newest, or None. Held runs do not count against ``keepRows``."""
    ds = store.query(
        "SELECT finished_ms FROM {status} WHERE finished_ms IS NOT NULL AND retention_hold = 0 "
        "ORDER BY finished_ms DESC LIMIT 1 OFFSET ?", [keepRows])
    return int(ds[0][0]) if len(ds) else None


def delete(store, workflowIds):
    """Deletes the runs and their records in one transaction; returns runs deleted.

    The run rows go first, under the same condition as the selection: a run
    held (or resumed) since it was selected keeps its row, and then its
    records too, since only the ids whose row was deleted lose theirs."""
    if not workflowIds:
        return 0
    # A database that takes fewer values per statement (SQL Server: 2100)
    # gets the ids in several lists, still in the one transaction.
    per = store.dialect.settings.get("maxParams") or len(workflowIds)
    deleted = 0
    with store.transaction() as tx:
        for start in range(0, len(workflowIds), per):
            deleted += _deleteSome(store, list(workflowIds[start:start + per]), tx)
    return deleted


def _deleteSome(store, workflowIds, tx):
    marks = ", ".join(["?"] * len(workflowIds))
    gone = [r[0] for r in store.query(
        "DELETE FROM {status} WHERE workflow_id IN (" + marks + ") AND " + _EXPIRABLE
        + " RETURNING workflow_id", workflowIds, tx)]
    if gone:
        marks = ", ".join(["?"] * len(gone))
        for table, column in _CHILDREN:
            store.update("DELETE FROM {" + table + "} WHERE " + column + " IN (" + marks + ")",
                         gone, tx)
    return len(gone)


def setHold(store, workflowId, hold, by, reason, now):
    """Sets or clears the run's retention hold, recording who, why and when;
    returns the run's status, or None when there is no such run."""
    ds = store.query(
        "UPDATE {status} SET retention_hold = ?, retention_hold_by = ?, "
        "retention_hold_reason = ?, retention_hold_ms = ? WHERE workflow_id = ? RETURNING status",
        [1 if hold else 0, by, reason, now, workflowId])
    return ds[0][0] if len(ds) else None
