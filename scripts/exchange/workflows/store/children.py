"""Statements about child runs: which run started a run (``parent_id``),
whether the parent's commands reach it (``propagate``), and the children's
outcomes a waiting parent reads."""
from exchange.workflows.store import statuses
from exchange.workflows.store.rows import plain


def setParent(store, childId, parentId, propagate, tx):
    """Marks a run just inserted as ``parentId``'s child (same transaction)."""
    return store.update("UPDATE {status} SET parent_id = ?, propagate = ? WHERE workflow_id = ?",
                        [parentId, 1 if propagate else 0, childId], tx)


def propagatedTo(store, parentId):
    """Ids of the parent's active children that take its commands."""
    ds = store.query("SELECT workflow_id FROM {status} WHERE parent_id = ? AND propagate = 1 "
                     "AND status IN " + statuses.ACTIVE + " ORDER BY workflow_id", [parentId])
    return [plain(r[0]) for r in ds]


def parentOf(store, workflowId):
    ds = store.query("SELECT parent_id FROM {status} WHERE workflow_id = ?", [workflowId])
    return plain(ds[0][0]) if len(ds) else None


def childrenOf(store, parentId, limit):
    """The parent's children, oldest first: [{workflowId, workflowName, status}]."""
    ds = store.query("SELECT workflow_id, workflow_name, status FROM {status} WHERE parent_id = ? "
                     "ORDER BY created_ms, workflow_id LIMIT ?", [parentId, limit])
    return [{"workflowId": plain(r[0]), "workflowName": plain(r[1]), "status": plain(r[2])}
            for r in ds]


def outcomes(store, ids):
    """{workflowId: (status, output, error)} of the runs ``ids`` (texts as stored)."""
    ds = store.query("SELECT workflow_id, status, output, error FROM {status} WHERE workflow_id IN ("
                     + ", ".join(["?"] * len(ids)) + ")", list(ids))
    return dict((plain(r[0]), (plain(r[1]), plain(r[2]), plain(r[3]))) for r in ds)
