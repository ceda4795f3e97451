"""Statements on ``workflow_events`` (latest value per key) and ``streams``
(append-only values per key, ordered by offset)."""
from exchange.workflows.store.rows import toDicts


def setEvent(store, workflowId, key, value, now, tx):
    store.update(
        "INSERT INTO {events} (workflow_id, event_key, value, updated_ms) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (workflow_id, event_key) DO UPDATE SET value = excluded.value, "
        "updated_ms = excluded.updated_ms", [workflowId, key, value, now], tx)


def getEvents(store, workflowId):
    ds = store.query(
        "SELECT event_key, value, updated_ms FROM {events} WHERE workflow_id = ? "
        "ORDER BY event_key", [workflowId])
    return toDicts(ds, ("key", "value", "updated_ms"))


def writeStream(store, workflowId, key, offset, value, now, tx):
    store.update(
        "INSERT INTO {streams} (workflow_id, stream_key, stream_offset, value, created_ms) "
        "VALUES (?, ?, ?, ?, ?)", [workflowId, key, offset, value, now], tx)


def readStream(store, workflowId, key=None, afterOffset=-1, limit=500):
    where, args = "workflow_id = ? AND stream_offset > ?", [workflowId, afterOffset]
    if key is not None:
        where += " AND stream_key = ?"
        args.append(key)
    ds = store.query(
        "SELECT stream_key, stream_offset, value, created_ms FROM {streams} WHERE " + where
        + " ORDER BY stream_offset LIMIT ?", args + [limit])
    return toDicts(ds, ("key", "offset", "value", "created_ms"))
