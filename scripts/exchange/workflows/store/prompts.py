"""Statements on ``operator_prompts``: the questions runs ask operators (rt.ask).

A row is keyed like the operation that asks (run, function id), so a run
replayed after a crash finds its own prompt. Its status moves
only forward, each move one conditional UPDATE: PENDING -> ANSWERED
(service.respond), TIMED_OUT (the run, when its wait timed out) or CLOSED
(the run ended while it waited); CLOSED -> PENDING when a resumed run asks
again. Values (choices, default, answer) are JSON text.
"""
from exchange.workflows.store import statuses
from exchange.workflows.store.rows import toDicts

PENDING, ANSWERED, TIMED_OUT, CLOSED = "PENDING", "ANSWERED", "TIMED_OUT", "CLOSED"

COLUMNS = ("workflow_id", "function_id", "prompt_key", "prompt", "choices",
           "default_value", "status", "created_ms", "expires_ms", "answer", "answered_by",
           "answered_source", "answer_reason", "answered_ms")
_SELECT = "SELECT " + ", ".join(COLUMNS) + " FROM {prompts} "
_THIS = "WHERE workflow_id = ? AND function_id = ?"
# The listing: the run's columns an operator needs beside the prompt's.
_LISTED = ", ".join("p." + c for c in COLUMNS) + ", s.workflow_name, s.status, s.inputs"


def get(store, workflowId, functionId, tx=None):
    """The prompt asked by operation ``functionId`` of the run, as a dict, or None."""
    rows = toDicts(store.query(_SELECT + _THIS, [workflowId, functionId], tx), COLUMNS)
    return rows[0] if rows else None


def insert(store, workflowId, functionId, key, prompt, choices, default, expiresMs, now,
           tx=None):
    """Inserts a PENDING prompt (a duplicate key raises db.UniqueViolation)."""
    store.update(
        "INSERT INTO {prompts} (workflow_id, function_id, prompt_key, prompt, "
        "choices, default_value, status, created_ms, expires_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, 'PENDING', ?, ?)",
        [workflowId, functionId, key, prompt, choices, default, now, expiresMs], tx)


def reopen(store, workflowId, functionId, expiresMs, now, tx=None):
    """CLOSED (or TIMED_OUT without a recorded result, after a resume) ->
    PENDING with a new expiry; returns the rows changed."""
    return store.update(
        "UPDATE {prompts} SET status = 'PENDING', created_ms = ?, expires_ms = ? " + _THIS +
        " AND status IN (?, ?)", [now, expiresMs, workflowId, functionId, CLOSED, TIMED_OUT], tx)


def pendingByKey(store, workflowId, key):
    """The run's PENDING prompts with ``key`` (normally one), oldest first."""
    return toDicts(store.query(
        _SELECT + "WHERE workflow_id = ? AND prompt_key = ? AND status = 'PENDING' "
        "ORDER BY created_ms, function_id", [workflowId, key]), COLUMNS)


def answer(store, workflowId, functionId, value, by, source, reason, now, tx):
    """PENDING -> ANSWERED with ``value`` (JSON); returns 1, or 0 when the
    prompt was no longer pending."""
    return store.update(
        "UPDATE {prompts} SET status = 'ANSWERED', answer = ?, answered_by = ?, "
        "answered_source = ?, answer_reason = ?, answered_ms = ? " + _THIS +
        " AND status = 'PENDING'", [value, by, source, reason, now, workflowId, functionId],
        tx)


def timeOut(store, workflowId, functionId, now, tx):
    """PENDING -> TIMED_OUT; returns 1, or 0 when it was answered meanwhile."""
    return store.update(
        "UPDATE {prompts} SET status = 'TIMED_OUT', answered_ms = ? " + _THIS +
        " AND status = 'PENDING'", [now, workflowId, functionId], tx)


def close(store, workflowId, functionId, now):
    """PENDING -> CLOSED (the run stopped waiting: stopped, cancelled, lost)."""
    return store.update(
        "UPDATE {prompts} SET status = 'CLOSED', answered_ms = ? " + _THIS +
        " AND status = 'PENDING'", [now, workflowId, functionId])


def extend(store, workflowId, functionId, expiresMs):
    """Moves a PENDING prompt's expiry (time held does not count against it)."""
    return store.update(
        "UPDATE {prompts} SET expires_ms = ? " + _THIS + " AND status = 'PENDING'",
        [expiresMs, workflowId, functionId])


def listPending(store, workflowName, workflowId, limit, offset):
    """Returns (rows, total): PENDING prompts of active runs, oldest first;
    each row also has workflowName, runStatus and the run's inputs (JSON,
    for masking). A prompt of a run that ended is not listed, whatever its
    row says (a run killed while it waited never closed it)."""
    where = ["p.status = 'PENDING'", "s.status IN " + statuses.ACTIVE]
    args = []
    if workflowName:
        where.append("s.workflow_name = ?")
        args.append(workflowName)
    if workflowId:
        where.append("p.workflow_id = ?")
        args.append(workflowId)
    body = ("FROM {prompts} p JOIN {status} s ON s.workflow_id = p.workflow_id WHERE "
            + " AND ".join(where))
    total = int(store.query("SELECT COUNT(*) " + body, args)[0][0])
    ds = store.query("SELECT " + _LISTED + " " + body +
                     " ORDER BY p.created_ms, p.workflow_id, p.function_id LIMIT ? OFFSET ?",
                     args + [limit, offset])
    rows = toDicts(ds, COLUMNS + ("workflow_name", "run_status", "inputs"))
    return rows, total


def ofRun(store, workflowId, limit):
    """Up to ``limit`` prompts the run asked, in the order asked (its record)."""
    return toDicts(store.query(_SELECT + "WHERE workflow_id = ? ORDER BY created_ms, function_id "
                               "LIMIT ?", [workflowId, limit]), COLUMNS)
