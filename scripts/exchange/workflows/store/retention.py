"""Deleting finished runs (and everything recorded for them) in small batches."""
from exchange.workflows.store import statuses

_CHILDREN = (("ops", "workflow_id"), ("mail", "workflow_id"), ("events", "workflow_id"),
             ("streams", "workflow_id"))


def olderThan(store, cutoffMs, limit):
    """Ids of up to ``limit`` runs that finished before ``cutoffMs``, oldest first."""
    ds = store.query(
        "SELECT workflow_id FROM {status} WHERE finished_ms IS NOT NULL AND finished_ms < ? "
        "AND status IN " + statuses.FINISHED + " ORDER BY finished_ms LIMIT ?", [cutoffMs, limit])
    return [r[0] for r in ds]


def rowCountCutoff(store, keepRows):
    """The finished_ms of the newest finished run beyond the ``keepRows`` newest, or None."""
    ds = store.query(
        "SELECT finished_ms FROM {status} WHERE finished_ms IS NOT NULL ORDER BY finished_ms DESC "
        "LIMIT 1 OFFSET ?", [keepRows])
    return int(ds[0][0]) if len(ds) else None


def delete(store, workflowIds):
    """Deletes the runs and their records in one transaction; returns runs deleted."""
    if not workflowIds:
        return 0
    marks = ", ".join(["?"] * len(workflowIds))
    with store.transaction() as tx:
        for table, column in _CHILDREN:
            store.update("DELETE FROM {" + table + "} WHERE " + column + " IN (" + marks + ")",
                      workflowIds, tx)
        return store.update("DELETE FROM {status} WHERE workflow_id IN (" + marks + ") "
                            "AND status IN " + statuses.FINISHED, workflowIds, tx)
