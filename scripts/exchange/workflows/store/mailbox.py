"""Statements on ``notifications``: each run's ordered mailbox of commands.

A message is consumed by a conditional UPDATE (``consumed_ms IS NULL``), in
the same transaction as whatever records its effect, so a command is taken
exactly once. A row is never deleted: a command a workflow refused (an
arbitrated rt.recvCommand, engine/operations.py) is consumed too, with
``consumed_by`` saying so, and stays in the run's command history."""
from exchange.workflows.store.rows import toDicts

COLUMNS = ("seq", "topic", "payload", "sender", "reason", "created_ms", "consumed_ms", "consumed_by")


def post(store, workflowId, seq, topic, payload, sender, reason, now, tx):
    store.update(
        "INSERT INTO {mail} (workflow_id, seq, topic, payload, sender, reason, created_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)", [workflowId, seq, topic, payload, sender, reason, now], tx)


def pending(store, workflowId, topic, limit=20, afterSeq=-1):
    """Returns up to ``limit`` unconsumed messages of the topic numbered
    after ``afterSeq``, oldest first (the next page: afterSeq = the last seq seen)."""
    ds = store.query(
        "SELECT " + ", ".join(COLUMNS) + " FROM {mail} WHERE workflow_id = ? AND topic = ? "
        "AND consumed_ms IS NULL AND seq > ? ORDER BY seq LIMIT ?",
        [workflowId, topic, afterSeq, limit])
    return toDicts(ds, COLUMNS)


def consume(store, workflowId, seq, by, now, tx):
    """Marks one message consumed; returns 1, or 0 if someone else took it."""
    return store.update(
        "UPDATE {mail} SET consumed_ms = ?, consumed_by = ? "
        "WHERE workflow_id = ? AND seq = ? AND consumed_ms IS NULL", [now, by, workflowId, seq], tx)


def consumeMany(store, workflowId, seqs, by, now, tx):
    """Marks the messages ``seqs`` consumed by ``by`` in ``tx``; returns how
    many were still unconsumed (fewer than ``len(seqs)``: someone else took
    some, and the caller rolls back). No statement for an empty list."""
    if not seqs:
        return 0
    marks = ", ".join(["?"] * len(seqs))
    return store.update(
        "UPDATE {mail} SET consumed_ms = ?, consumed_by = ? WHERE workflow_id = ? "
        "AND seq IN (" + marks + ") AND consumed_ms IS NULL",
        [now, by, workflowId] + list(seqs), tx)


def history(store, workflowId, limit, offset):
    """Returns one page of the run's mailbox, oldest first."""
    ds = store.query(
        "SELECT " + ", ".join(COLUMNS) + " FROM {mail} WHERE workflow_id = ? ORDER BY seq "
        "LIMIT ? OFFSET ?", [workflowId, limit, offset])
    return toDicts(ds, COLUMNS)


def voidPending(store, workflowId, topic, by, now, tx):
    """Marks every unconsumed message of ``topic`` consumed by ``by``;
    returns how many (commands left over from an ended run, on resume)."""
    return store.update(
        "UPDATE {mail} SET consumed_ms = ?, consumed_by = ? "
        "WHERE workflow_id = ? AND topic = ? AND consumed_ms IS NULL",
        [now, by, workflowId, topic], tx)
