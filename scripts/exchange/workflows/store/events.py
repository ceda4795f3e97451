"""Statements on ``workflow_events`` (latest value per key), ``event_history``
(every value set, with its time) and ``streams`` (append-only values per
key, ordered by offset)."""
from exchange.workflows.store import statuses
from exchange.workflows.store.rows import toDicts

HISTORY_COLUMNS = ("event_key", "value", "created_ms", "function_id")


def setEvent(store, workflowId, key, functionId, value, now, tx):
    """Sets the latest value of ``key`` and appends it to the key's history,
    in the caller's transaction (the one that records operation
    ``functionId``, whose id the history row shares)."""
    store.update(
        "INSERT INTO {events} (workflow_id, event_key, value, updated_ms) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (workflow_id, event_key) DO UPDATE SET value = excluded.value, "
        "updated_ms = excluded.updated_ms", [workflowId, key, value, now], tx)
    store.update(
        "INSERT INTO {eventHistory} (workflow_id, function_id, event_key, value, created_ms) "
        "VALUES (?, ?, ?, ?, ?)", [workflowId, functionId, key, value, now], tx)


def getEvents(store, workflowId):
    ds = store.query(
        "SELECT event_key, value, updated_ms FROM {events} WHERE workflow_id = ? "
        "ORDER BY event_key", [workflowId])
    return toDicts(ds, ("key", "value", "updated_ms"))


def history(store, workflowId, limit, offset):
    """Returns one page of every value the run set, in the order it set them:
    [{eventKey, value, createdMs, functionId}]."""
    ds = store.query(
        "SELECT " + ", ".join(HISTORY_COLUMNS) + " FROM {eventHistory} WHERE workflow_id = ? "
        "ORDER BY function_id, sub_offset LIMIT ? OFFSET ?", [workflowId, limit, offset])
    return toDicts(ds, HISTORY_COLUMNS)


def writeStream(store, workflowId, key, offset, value, now, tx):
    store.update(
        "INSERT INTO {streams} (workflow_id, stream_key, stream_offset, value, created_ms) "
        "VALUES (?, ?, ?, ?, ?)", [workflowId, key, offset, value, now], tx)


# Writes made inside a step (issue 13). A step is one operation, so its
# writes share its id and are told apart by ``subOffset`` (1, 2, ...). Each
# statement is guarded like checkpoints.record: it writes only while the
# gateway still holds the run with ``epoch``. A step run again after a crash
# writes the same keys again, replacing what its earlier attempt wrote.
_HELD = (" FROM {status} WHERE workflow_id = ? AND claim_epoch = ? AND status IN "
         + statuses.OWNED)


def stepStream(store, workflowId, epoch, key, offset, subOffset, value, now, tx):
    """Writes stream value (offset, subOffset) of ``key`` in the caller's
    transaction; returns 1, or 0 when the run is no longer ours."""
    return store.update(
        "INSERT INTO {streams} (workflow_id, stream_key, stream_offset, sub_offset, value, "
        "created_ms) SELECT ?, ?, ?, ?, ?, ?" + _HELD + " ON CONFLICT (workflow_id, "
        "stream_key, stream_offset, sub_offset) DO UPDATE SET value = excluded.value, "
        "created_ms = excluded.created_ms",
        [workflowId, key, offset, subOffset, value, now, workflowId, epoch], tx)


def stepEvent(store, workflowId, epoch, key, functionId, subOffset, value, now, tx):
    """Sets the latest value of ``key`` and its history row (functionId,
    subOffset), in the caller's transaction; returns 1, or 0 (nothing
    written) when the run is no longer ours."""
    n = store.update(
        "INSERT INTO {events} (workflow_id, event_key, value, updated_ms) SELECT ?, ?, ?, ?"
        + _HELD + " ON CONFLICT (workflow_id, event_key) DO UPDATE SET value = "
        "excluded.value, updated_ms = excluded.updated_ms",
        [workflowId, key, value, now, workflowId, epoch], tx)
    if n == 1:
        store.update(
            "INSERT INTO {eventHistory} (workflow_id, function_id, sub_offset, event_key, "
            "value, created_ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (workflow_id, "
            "function_id, sub_offset) DO UPDATE SET event_key = excluded.event_key, "
            "value = excluded.value, created_ms = excluded.created_ms",
            [workflowId, functionId, subOffset, key, value, now], tx)
    return n


def readStream(store, workflowId, key=None, afterOffset=-1, limit=500):
    """Returns values after ``afterOffset`` in order: [{key, offset,
    subOffset, value, created_ms}]; the values one step wrote share its
    offset and are ordered by subOffset."""
    where, args = "workflow_id = ? AND stream_offset > ?", [workflowId, afterOffset]
    if key is not None:
        where += " AND stream_key = ?"
        args.append(key)
    ds = store.query(
        "SELECT stream_key, stream_offset, sub_offset, value, created_ms FROM {streams} WHERE "
        + where + " ORDER BY stream_offset, sub_offset LIMIT ?", args + [limit])
    return toDicts(ds, ("key", "offset", "subOffset", "value", "created_ms"))
