"""Deleting finished runs (and everything recorded for them) in small batches."""
from exchange.workflows.store import db

_FINISHED = "('SUCCESS','ERROR','CANCELLED','STOPPED','DEAD_LETTER')"
_CHILDREN = (("ops", "workflow_id"), ("mail", "workflow_id"), ("events", "workflow_id"),
             ("streams", "workflow_id"))


def olderThan(dbName, d, cutoffMs, limit):
    """Ids of up to ``limit`` runs that finished before ``cutoffMs``, oldest first."""
    ds = db.query(dbName, d.sql(
        "SELECT workflow_id FROM {status} WHERE finished_ms IS NOT NULL AND finished_ms < ? "
        "AND status IN " + _FINISHED + " ORDER BY finished_ms LIMIT ?"), [cutoffMs, limit])
    return [r[0] for r in ds]


def rowCountCutoff(dbName, d, keepRows):
    """The finished_ms of the newest finished run beyond the ``keepRows`` newest, or None."""
    ds = db.query(dbName, d.sql(
        "SELECT finished_ms FROM {status} WHERE finished_ms IS NOT NULL ORDER BY finished_ms DESC "
        "LIMIT 1 OFFSET ?"), [keepRows])
    return int(ds[0][0]) if len(ds) else None


def delete(dbName, d, workflowIds):
    """Deletes the runs and their records in one transaction; returns runs deleted."""
    if not workflowIds:
        return 0
    marks = ", ".join(["?"] * len(workflowIds))
    with db.Transaction(dbName, d) as tx:
        for table, column in _CHILDREN:
            db.update(dbName, d.sql("DELETE FROM {" + table + "} WHERE " + column + " IN (" + marks + ")"),
                      workflowIds, tx)
        return db.update(dbName, d.sql("DELETE FROM {status} WHERE workflow_id IN (" + marks + ") "
                                       "AND status IN " + _FINISHED), workflowIds, tx)
