"""Statements on ``operation_outputs``: the recorded result of each durable
operation (step, sleep, received command, event, stream write) of a run.

The workflow body numbers its operations 0, 1, 2, ...; the handler of
transition ``seq`` (issue 12: onHold, onResume, onStop, onAbort) numbers
its own from ``handlerBase(seq)``, in a block of HANDLER_BLOCK ids above
HANDLER_BASE. One table and one id space rather than a table per numbering:
everything keyed by an operation id (events and their history, stream
values, writes inside a step, prompts) stays unique with no new key column,
and the body's replay, getSteps, resume and fork read only ids below
HANDLER_BASE, so a handler never shifts the body's numbering.
"""
from exchange.workflows.store import statuses
from exchange.workflows.store.records import OPERATION_COLUMNS, operations
from exchange.workflows.store.rows import toDicts

# Ids at and above HANDLER_BASE belong to handlers: a body that records a
# billion operations is not a workflow we support. 100,000 ids per handler
# run (a handler is expected to be short) leave room for 11,000 transitions
# in the 32-bit INTEGER column.
HANDLER_BASE = 1000000000
HANDLER_BLOCK = 100000
_BODY = " AND function_id < %d" % HANDLER_BASE


def handlerBase(transitionSeq):
    """The first operation id of the handler of transition ``transitionSeq``."""
    return HANDLER_BASE + int(transitionSeq) * HANDLER_BLOCK


def _range(transitionSeq):
    """The WHERE clause tail (and its values) of one numbering: the body's
    (``transitionSeq`` None) or one transition's handler."""
    if transitionSeq is None:
        return _BODY, []
    base = handlerBase(transitionSeq)
    return " AND function_id >= ? AND function_id < ?", [base, base + HANDLER_BLOCK]


# One statement, one write: the INSERT happens only while this gateway still
# holds the run with its epoch and the run is unfinished. That guard is what
# fences a gateway that lost its claim, and it tells a worker that its run
# was cancelled, without any extra query on the normal path.
_RECORD = ("INSERT INTO {ops} (workflow_id, function_id, function_name, output, error, attempts, "
           "started_ms, finished_ms) SELECT ?, ?, ?, ?, ?, ?, ?, ? FROM {status} "
           "WHERE workflow_id = ? AND claim_epoch = ? AND status IN " + statuses.OWNED)


def record(store, workflowId, epoch, op, tx=None):
    """Records ``op`` (an Operation) for the run held with ``epoch``; returns
    1, or 0 if the run is no longer ours to write."""
    functionId, name, output, error, attempts, startedMs, finishedMs = op
    return store.update(_RECORD, [workflowId, functionId, name, output, error, attempts,
                                  startedMs, finishedMs, workflowId, epoch], tx)


# Several runs' records in one statement (engine/committer.py): one guarded
# SELECT per record, joined by UNION ALL, so each row keeps its own guard.
# The CASTs give PostgreSQL the types of a UNION's parameters, which it
# would otherwise take for text.
_ONE_GUARDED = ("SELECT CAST(? AS VARCHAR(64)), CAST(? AS INTEGER), CAST(? AS VARCHAR(200)), "
                "CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS BIGINT), "
                "CAST(? AS BIGINT) FROM {status} WHERE workflow_id = ? AND claim_epoch = ? "
                "AND status IN " + statuses.OWNED)
_RECORD_MANY_HEAD = ("INSERT INTO {ops} (workflow_id, function_id, function_name, output, error, "
                     "attempts, started_ms, finished_ms) ")
_manySql = {}


def recordManySql(count):
    """The INSERT of recordMany for ``count`` records (kept per count: the
    driver prepares each text once)."""
    sql = _manySql.get(count)
    if sql is None:
        sql = _manySql.setdefault(count, _RECORD_MANY_HEAD + " UNION ALL ".join(
            [_ONE_GUARDED] * count))
    return sql


def recordMany(store, records):
    """Records several runs' Operations in one statement: ``records`` holds
    (workflowId, epoch, op) triples. Returns how many rows were inserted:
    fewer than ``len(records)`` when some run is no longer ours to write
    (which ones, the statement does not say). All or none fail together on
    an error, as one statement does."""
    args = []
    for workflowId, epoch, op in records:
        functionId, name, output, error, attempts, startedMs, finishedMs = op
        args.extend((workflowId, functionId, name, output, error, attempts, startedMs,
                     finishedMs, workflowId, epoch))
    return store.update(recordManySql(len(records)), args)


def load(store, workflowId, transitionSeq=None):
    """Returns the recorded Operations of the run's body (or of the handler
    of transition ``transitionSeq``) in order: the history to replay."""
    where, args = _range(transitionSeq)
    return operations(store.query(
        "SELECT " + ", ".join(OPERATION_COLUMNS) + " FROM {ops} WHERE workflow_id = ?"
        + where + " ORDER BY function_id", [workflowId] + args))


def at(store, workflowId, functionId):
    """Returns the Operation recorded at ``functionId``, or None."""
    rows = operations(store.query(
        "SELECT " + ", ".join(OPERATION_COLUMNS) + " FROM {ops} WHERE workflow_id = ? "
        "AND function_id = ?", [workflowId, functionId]))
    return rows[0] if rows else None


def page(store, workflowId, limit, offset, transitionSeq=None):
    """Returns one page of the recorded operations of the run's body (or of
    the handler of transition ``transitionSeq``) in order, as dicts: what an
    operator reads (a run of 100,000 steps is never read whole)."""
    where, args = _range(transitionSeq)
    ds = store.query(
        "SELECT " + ", ".join(OPERATION_COLUMNS) + " FROM {ops} WHERE workflow_id = ?"
        + where + " ORDER BY function_id LIMIT ? OFFSET ?",
        [workflowId] + args + [limit, offset])
    return toDicts(ds, OPERATION_COLUMNS)


def count(store, workflowId, tx=None):
    """How many operations the run's body has recorded."""
    return int(store.query("SELECT COUNT(*) FROM {ops} WHERE workflow_id = ?" + _BODY,
                           [workflowId], tx)[0][0])


def last(store, workflowId, tx=None):
    """Returns the last Operation the run's body recorded, or None."""
    rows = operations(store.query(
        "SELECT " + ", ".join(OPERATION_COLUMNS) + " FROM {ops} WHERE workflow_id = ?" + _BODY
        + " ORDER BY function_id DESC LIMIT 1", [workflowId], tx))
    return rows[0] if rows else None


def named(store, workflowId, prefix, tx=None):
    """Returns the Operations of the run's body whose name starts with
    ``prefix`` (no ``%`` or ``_`` in it), in order."""
    return operations(store.query(
        "SELECT " + ", ".join(OPERATION_COLUMNS) + " FROM {ops} WHERE workflow_id = ?" + _BODY
        + " AND function_name LIKE ? ORDER BY function_id", [workflowId, prefix + "%"], tx))
