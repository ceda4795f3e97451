"""Statements on ``notifications``: each run's ordered mailbox of commands.

A message is consumed by a conditional UPDATE (``consumed_ms IS NULL``), in
the same transaction as whatever records its effect, so a command is taken
exactly once and never dropped."""
from exchange.workflows.store.rows import toDicts

COLUMNS = ("seq", "topic", "payload", "sender", "reason", "created_ms", "consumed_ms", "consumed_by")


def post(store, workflowId, seq, topic, payload, sender, reason, now, tx):
    store.update(
        "INSERT INTO {mail} (workflow_id, seq, topic, payload, sender, reason, created_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)", [workflowId, seq, topic, payload, sender, reason, now], tx)


def pending(store, workflowId, topic, limit=20):
    """Returns unconsumed messages of the topic, oldest first."""
    ds = store.query(
        "SELECT " + ", ".join(COLUMNS) + " FROM {mail} WHERE workflow_id = ? AND topic = ? "
        "AND consumed_ms IS NULL ORDER BY seq LIMIT ?", [workflowId, topic, limit])
    return toDicts(ds, COLUMNS)


def consume(store, workflowId, seq, by, now, tx):
    """Marks one message consumed; returns 1, or 0 if someone else took it."""
    return store.update(
        "UPDATE {mail} SET consumed_ms = ?, consumed_by = ? "
        "WHERE workflow_id = ? AND seq = ? AND consumed_ms IS NULL", [now, by, workflowId, seq], tx)


def history(store, workflowId, limit, offset):
    """Returns one page of the run's mailbox, oldest first."""
    ds = store.query(
        "SELECT " + ", ".join(COLUMNS) + " FROM {mail} WHERE workflow_id = ? ORDER BY seq "
        "LIMIT ? OFFSET ?", [workflowId, limit, offset])
    return toDicts(ds, COLUMNS)
