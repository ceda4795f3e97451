"""Statements on ``workflow_status``: one row per run.

Every status change is a conditional UPDATE: its WHERE clause names the
statuses the row may leave (and, for a worker, the claim epoch it holds),
so a finished row can never be overwritten and a gateway that lost its
claim cannot write."""
from collections import namedtuple

from exchange.workflows.core import states
from exchange.workflows.store import statuses
from exchange.workflows.store.records import RUN_COLUMNS, Control, runRows
from exchange.workflows.store.rows import plain, toDicts


INSERT_COLUMNS = ("workflow_id", "workflow_name", "status", "queue_name", "partition_key",
                  "priority", "deduplication_id", "application_version", "inputs",
                  "timeout_ms", "created_by", "created_ms", "updated_ms")


DETAIL_COLUMNS = ("workflow_id", "workflow_name", "status", "queue_name", "partition_key",
                  "priority", "deduplication_id", "application_version", "inputs", "output",
                  "error", "progress", "timeout_ms", "deadline_ms", "executor_id", "claim_epoch",
                  "recovery_attempts", "created_by", "created_ms", "updated_ms", "started_ms",
                  "finished_ms", "retention_hold", "retention_hold_by", "retention_hold_reason",
                  "retention_hold_ms", "resumed_count", "forked_from", "forked_from_step",
                  "param_source", "held_ms", "held_since_ms", "transition_seq", "handler_error")

LIST_COLUMNS = ("workflow_id", "workflow_name", "status", "queue_name", "partition_key",
                "priority", "progress", "executor_id", "created_ms", "started_ms", "finished_ms",
                "updated_ms", "error", "retention_hold")


def _insertSql(count):
    one = "(" + ", ".join(["?"] * len(INSERT_COLUMNS)) + ")"
    # ON CONFLICT DO NOTHING covers both a repeated id (an in-memory item
    # flushed twice after an unclear commit) and an active deduplication id.
    return ("INSERT INTO {status} (" + ", ".join(INSERT_COLUMNS) + ") VALUES "
            + ", ".join([one] * count) + " ON CONFLICT DO NOTHING")


def insert(store, rows, tx=None):
    """Inserts ENQUEUED rows (tuples in INSERT_COLUMNS order); returns how many were new."""
    if not rows:
        return 0
    args = []
    for r in rows:
        args.extend(r)
    return store.update(_insertSql(len(rows)), args, tx)


# The SQL types of INSERT_COLUMNS, then of the four claim columns that a
# direct start fills in: CASTs give PostgreSQL the parameters' types, which
# an INSERT ... SELECT cannot infer (a NULL would arrive as text).
_DIRECT_TYPES = ("VARCHAR(64)", "VARCHAR(200)", "VARCHAR(20)", "VARCHAR(100)", "VARCHAR(200)",
                 "INTEGER", "VARCHAR(200)", "VARCHAR(100)", "TEXT", "BIGINT", "VARCHAR(200)",
                 "BIGINT", "BIGINT", "VARCHAR(200)", "INTEGER", "BIGINT", "BIGINT")
_DIRECT_SQL = (
    "INSERT INTO {status} (" + ", ".join(INSERT_COLUMNS)
    + ", executor_id, claim_epoch, started_ms, deadline_ms) SELECT "
    + ", ".join(["CAST(? AS %s)" % t for t in _DIRECT_TYPES])
    + " WHERE NOT EXISTS (SELECT 1 FROM {queues} WHERE queue_name = ? AND "
    "(concurrency IS NOT NULL OR worker_concurrency IS NOT NULL OR rate_limit IS NOT NULL)) "
    "ON CONFLICT DO NOTHING")


def insertRunning(store, row, executorId, epoch, now, deadlineMs):
    """Inserts ``row`` (INSERT_COLUMNS order, any status) as RUNNING, held by
    ``executorId`` with ``epoch``: a start that skips the queue. The insert
    happens only if the queue has no concurrency limit (those are counted by
    the claim transaction) and no active run holds the same deduplication
    id; returns 1 if it did, else 0."""
    values = list(row)
    values[INSERT_COLUMNS.index("status")] = states.RUNNING
    return store.update(_DIRECT_SQL,
                     values + [executorId, epoch, now, deadlineMs, row[INSERT_COLUMNS.index("queue_name")]])


def existing(store, workflowIds):
    """Returns the set of ``workflowIds`` that have a run row."""
    found, ids = set(), list(workflowIds)
    for start in range(0, len(ids), 100):
        chunk = ids[start:start + 100]
        ds = store.query(
            "SELECT workflow_id FROM {status} WHERE workflow_id IN ("
            + ", ".join(["?"] * len(chunk)) + ")", chunk)
        found.update(r[0] for r in ds)
    return found


def activeByDeduplication(store, queueName, deduplicationId):
    """Returns the id of the active run holding ``deduplicationId`` in the queue, or None."""
    ds = store.query(
        "SELECT workflow_id FROM {status} WHERE queue_name = ? AND deduplication_id = ? "
        "AND status IN " + statuses.ACTIVE, [queueName, deduplicationId])
    return ds[0][0] if len(ds) else None


def queuesWithWork(store):
    """Names of the queues that have ENQUEUED rows (read from the claim index)."""
    ds = store.query(
        "SELECT DISTINCT queue_name FROM {status} WHERE status = 'ENQUEUED' ORDER BY queue_name")
    return [r[0] for r in ds]


def listQueues(store):
    """Configured queues and queues with waiting runs, with their limits."""
    ds = store.query(
        "SELECT q.queue_name, q.concurrency, q.worker_concurrency, (SELECT COUNT(*) FROM {status} s "
        "WHERE s.queue_name = q.queue_name AND s.status = 'ENQUEUED'), q.rate_limit, "
        "q.rate_period_ms FROM {queues} q ORDER BY q.queue_name")
    out = [{"queueName": r[0], "concurrency": r[1], "workerConcurrency": r[2], "waiting": int(r[3]),
            "rateLimit": None if r[4] is None else {"limit": int(r[4]),
                                                    "periodSeconds": int(r[5]) / 1000.0}}
           for r in ds]
    known = set(q["queueName"] for q in out)
    for name in queuesWithWork(store):
        if name not in known:
            out.append({"queueName": name, "concurrency": None, "workerConcurrency": None,
                        "waiting": None, "rateLimit": None})
    return out


def markRunning(store, workflowId, epoch, now, deadlineMs):
    """PENDING -> RUNNING for the claim holder; returns rows affected (0 or 1)."""
    return store.update(
        "UPDATE {status} SET status = 'RUNNING', started_ms = COALESCE(started_ms, ?), "
        "deadline_ms = COALESCE(deadline_ms, ?), updated_ms = ? "
        "WHERE workflow_id = ? AND claim_epoch = ? AND status = 'PENDING'",
        [now, deadlineMs, now, workflowId, epoch])


# What setVisibleState did: rows affected (0: not ours in that status any
# more) and the run's deadline after it (None: no deadline, or no row).
Visible = namedtuple("Visible", ["rows", "deadlineMs"])

# Closes a run's open held span (if any) at the first parameter, ``now``:
# the span joins held_ms.
_CLOSE_HELD = "held_ms = held_ms + COALESCE(? - held_since_ms, 0), held_since_ms = NULL"

_TO_HELD = (
    "UPDATE {status} SET status = 'HELD', updated_ms = ?, "
    "held_since_ms = COALESCE(held_since_ms, ?) "
    "WHERE workflow_id = ? AND claim_epoch = ? AND status IN "
    + statuses.inList((states.RUNNING, states.PENDING)) + " RETURNING deadline_ms")
# The deadline moves by the span before the span is closed: every right-hand
# side of an UPDATE reads the row as it was.
_TO_RUNNING = (
    "UPDATE {status} SET status = 'RUNNING', updated_ms = ?, "
    "deadline_ms = CASE WHEN ? = 1 OR held_since_ms IS NULL THEN deadline_ms "
    "ELSE deadline_ms + (? - held_since_ms) END, " + _CLOSE_HELD + " "
    "WHERE workflow_id = ? AND claim_epoch = ? AND status IN "
    + statuses.inList((states.HELD, states.PENDING)) + " RETURNING deadline_ms")


def setVisibleState(store, workflowId, epoch, status, now, tx=None, timeoutIncludesHeld=False):
    """RUNNING <-> HELD for the claim holder, keeping the held-time account
    (docs/control.md "Deadlines and held time"); returns a Visible record.

    Entering HELD opens a span at ``now``, or keeps the open one (a HELD run
    taken over or recovered after a crash was held all along). Leaving it
    adds the span to held_ms and, unless ``timeoutIncludesHeld``, pushes
    the deadline back by as much: the returned deadline is the one the run
    now has.
    """
    if status == states.HELD:
        ds = store.query(_TO_HELD, [now, now, workflowId, epoch], tx)
    else:
        ds = store.query(_TO_RUNNING, [now, 1 if timeoutIncludesHeld else 0, now, now,
                                       workflowId, epoch], tx)
    if not len(ds):
        return Visible(0, None)
    return Visible(len(ds), None if ds[0][0] is None else int(ds[0][0]))


def finish(store, workflowId, epoch, status, output, error, now, tx=None):
    """Ends the run held with ``epoch``; returns rows affected (0: not ours any more)."""
    return store.update(
        "UPDATE {status} SET status = ?, output = ?, error = ?, finished_ms = ?, updated_ms = ?, "
        + _CLOSE_HELD + " WHERE workflow_id = ? AND claim_epoch = ? AND status IN "
        + statuses.OWNED, [status, output, error, now, now, now, workflowId, epoch], tx)


def setProgress(store, workflowId, epoch, progress, now):
    return store.update(
        "UPDATE {status} SET progress = ?, updated_ms = ? "
        "WHERE workflow_id = ? AND claim_epoch = ? AND status IN " + statuses.OWNED,
        [progress, now, workflowId, epoch])


def _byIds(store, columns, workflowIds, chunkSize):
    """Yields the rows (workflow_id first, then ``columns``) of the given
    runs, reading ``chunkSize`` ids per statement."""
    ids = list(workflowIds)
    for start in range(0, len(ids), chunkSize):
        chunk = ids[start:start + chunkSize]
        for row in store.query(
                "SELECT workflow_id, " + columns + " FROM {status} WHERE workflow_id IN ("
                + ", ".join(["?"] * len(chunk)) + ")", chunk):
            yield row


def control(store, workflowIds):
    """Returns {workflowId: records.Control} for the given ids (absent: no row)."""
    return dict((row[0], Control(row[1], int(row[2]), int(row[3])))
                for row in _byIds(store, "status, claim_epoch, cmd_seq", workflowIds, 100))


def bumpCommandSeq(store, workflowId, now, tx):
    """Reserves the next mailbox sequence number of an active run; None if
    not active. Every event a run may wait for (a command, an answer, a
    message) passes here: a released run is made due at ``now`` in the
    same statement (see "Released runs" below)."""
    ds = store.query(
        "UPDATE {status} SET cmd_seq = cmd_seq + 1, updated_ms = ?, "
        "wake_ms = CASE WHEN " + _RELEASED + " THEN ? ELSE wake_ms END "
        "WHERE workflow_id = ? AND status IN " + statuses.ACTIVE + " RETURNING cmd_seq, status",
        [now, now, workflowId], tx)
    return (int(ds[0][0]), ds[0][1]) if len(ds) else None


# -- Released runs ------------------------------------------------------------------------------
# A run waiting outside a step (HELD, sleeping, asking, receiving, awaiting
# children or a tag) gives its worker thread back: releaseWorker leaves its
# status as it is (RUNNING or HELD: still owned, so it keeps its queue slot
# and partition) and clears executor_id, which takes it out of recovery and
# takeover (they read rows by executor). cmd_seq is the wake sequence: every
# waking event bumps it (bumpCommandSeq) and sets wake_ms to now, so a
# release guarded by the cmd_seq the run last looked at cannot miss an
# event that arrived meanwhile. claimWoken takes a due run back with a new
# epoch, for its history to be replayed up to the wait.
_RELEASED = "wait_kind IS NOT NULL AND executor_id IS NULL"
# What a run releases its worker with: the wait's kind (WAIT_KINDS), when to
# wake it (None: only an event), its detail (JSON text or None) and the
# gateway that checks it (tag waits; else None).
Wait = namedtuple("Wait", ["kind", "wakeMs", "detail", "checker"])
WAIT_KINDS = ("HOLD", "SLEEP", "PROMPT", "RECV", "CHILD", "TAG")
_WAITING = statuses.inList((states.RUNNING, states.HELD))
_CLEAR_WAIT = "wake_ms = NULL, wait_kind = NULL, wait_checker = NULL, released_ms = NULL"


def releaseWorker(store, workflowId, epoch, cmdSeq, status, wait, now):
    """Releases the run held with ``epoch`` whose row still says ``status``
    and ``cmdSeq`` (nothing arrived since the run looked); ``wait`` is a
    records.Wait. Returns rows affected (0: keep waiting on the thread)."""
    return store.update(
        "UPDATE {status} SET executor_id = NULL, wake_ms = ?, wait_kind = ?, wait_detail = ?, "
        "wait_checker = ?, released_ms = ?, updated_ms = ? WHERE workflow_id = ? "
        "AND claim_epoch = ? AND cmd_seq = ? AND status = ?",
        [wait.wakeMs, wait.kind, wait.detail, wait.checker, now, now, workflowId, epoch,
         cmdSeq, status])


def dueWakes(store, now, limit):
    """Released runs due at ``now``: [(workflowId, workflowName,
    applicationVersion)], the earliest first."""
    ds = store.query(
        "SELECT workflow_id, workflow_name, application_version FROM {status} WHERE "
        + _RELEASED + " AND wake_ms <= ? AND status IN " + _WAITING
        + " ORDER BY wake_ms LIMIT ?", [now, limit])
    return [(plain(r[0]), plain(r[1]), plain(r[2])) for r in ds]


def claimWoken(store, workflowId, executorId, now):
    """Takes a due released run with a new epoch; returns its RunRow, or
    None when another gateway (or an event's cancel) was first. The wait's
    detail stays for the woken run to read (waitDetail)."""
    ds = store.query(
        "UPDATE {status} SET executor_id = ?, claim_epoch = claim_epoch + 1, updated_ms = ?, "
        + _CLEAR_WAIT + " WHERE workflow_id = ? AND " + _RELEASED + " AND wake_ms <= ? "
        "AND status IN " + _WAITING + " RETURNING " + ", ".join(RUN_COLUMNS),
        [executorId, now, workflowId, now])
    rows = runRows(ds)
    return rows[0] if rows else None


def releasedWaits(store, kind, checker, now, limit):
    """Released waits of ``kind`` not yet due (of ``checker``, when given):
    [(workflowId, detail JSON)], for the dispatcher to check."""
    where, args = "", [kind, now]
    if checker is not None:
        where, args = " AND wait_checker = ?", args + [checker]
    ds = store.query(
        "SELECT workflow_id, wait_detail FROM {status} WHERE wait_kind = ? AND executor_id IS NULL "
        "AND (wake_ms IS NULL OR wake_ms > ?) AND status IN " + _WAITING + where
        + " ORDER BY workflow_id LIMIT ?", args + [limit])
    return [(plain(r[0]), plain(r[1])) for r in ds]


def wakeNow(store, workflowIds, now, detail=None, tx=None):
    """Makes released runs due at ``now`` (their condition is met), with a
    new wait detail when given; returns how many."""
    if not workflowIds:
        return 0
    ids = list(workflowIds)
    setDetail = "" if detail is None else ", wait_detail = ?"
    return store.update(
        "UPDATE {status} SET wake_ms = ?" + setDetail + " WHERE " + _RELEASED
        + " AND workflow_id IN (" + ", ".join(["?"] * len(ids)) + ")",
        [now] + ([] if detail is None else [detail]) + ids, tx)


def moveChecks(store, kind, fromChecker, toChecker):
    """Hands the released waits of ``kind`` checked by a dead gateway to another."""
    return store.update(
        "UPDATE {status} SET wait_checker = ? WHERE wait_kind = ? AND wait_checker = ? AND "
        + _RELEASED, [toChecker, kind, fromChecker])


def noteWait(store, workflowId, epoch, detail):
    """Writes the run's wait detail while it waits on its thread (a tag wait
    keeps its deadline across a crash this way); returns rows affected."""
    return store.update("UPDATE {status} SET wait_detail = ? WHERE workflow_id = ? AND "
                        "claim_epoch = ?", [detail, workflowId, epoch])


def waitDetail(store, workflowId):
    """The run's last wait detail (JSON), or None."""
    ds = store.query("SELECT wait_detail FROM {status} WHERE workflow_id = ?", [workflowId])
    return plain(ds[0][0]) if len(ds) else None


def heldAccount(store, workflowId):
    """(held_ms, held_since_ms) of the run: time HELD in closed spans, and
    the start of the open one (None when not held)."""
    ds = store.query("SELECT held_ms, held_since_ms FROM {status} WHERE workflow_id = ?",
                     [workflowId])
    if not len(ds):
        return 0, None
    return int(ds[0][0] or 0), None if ds[0][1] is None else int(ds[0][1])


def endUnclaimed(store, workflowId, status, error, now, tx=None):
    """Ends a run that no gateway holds yet (ENQUEUED) directly."""
    return store.update(
        "UPDATE {status} SET status = ?, error = ?, finished_ms = ?, updated_ms = ? "
        "WHERE workflow_id = ? AND status = 'ENQUEUED'",
        [status, error, now, now, workflowId], tx)


def cancel(store, workflowId, error, now, tx=None):
    """Any active status -> CANCELLED; the holder notices at its next safe point."""
    return store.update(
        "UPDATE {status} SET status = 'CANCELLED', error = ?, finished_ms = ?, updated_ms = ?, "
        + _CLOSE_HELD + " WHERE workflow_id = ? AND status IN " + statuses.ACTIVE,
        [error, now, now, now, workflowId], tx)


# Maintenance "cancel" reports runs not started yet as "queued", the rest as "running".
_QUEUED = statuses.inList((states.ENQUEUED, states.PENDING))


def cancelActive(store, error, now, queueName=None):
    """Every active run (of ``queueName`` only, when given) -> CANCELLED
    (maintenance "cancel"); returns {queued, running}: how many were
    ENQUEUED/PENDING and how many RUNNING/HELD.

    Two statements in one transaction, queued ones first: a run claimed in
    between is caught by the second, which takes every status still active."""
    where = "" if queueName is None else " AND queue_name = ?"
    tail = [] if queueName is None else [queueName]
    sql = ("UPDATE {status} SET status = 'CANCELLED', error = ?, finished_ms = ?, updated_ms = ?, "
           + _CLOSE_HELD + " WHERE status IN %s" + where)
    with store.transaction() as tx:
        queued = store.update(sql % _QUEUED, [error, now, now, now] + tail, tx=tx)
        running = store.update(sql % statuses.ACTIVE, [error, now, now, now] + tail, tx=tx)
    return {"queued": queued, "running": running}


def inFlight(store):
    """Runs claimed and not finished (PENDING, RUNNING, HELD) on any gateway:
    {runs, partitions} (distinct partition keys among them)."""
    ds = store.query("SELECT COUNT(*), COUNT(DISTINCT partition_key) FROM {status} "
                     "WHERE status IN " + statuses.OWNED)
    return {"runs": int(ds[0][0]), "partitions": int(ds[0][1])}


def resetRecoveryAttempts(store, workflowId, epoch):
    """Starts the crash counter of a run held with ``epoch`` over (it made progress)."""
    return store.update("UPDATE {status} SET recovery_attempts = 0 WHERE workflow_id = ? "
                        "AND claim_epoch = ?", [workflowId, epoch])


def owned(store, executorId):
    """Returns this executor's unfinished runs as RunRows (for recovery after a restart)."""
    return runRows(store.query(
        "SELECT " + ", ".join(RUN_COLUMNS) + " FROM {status} "
        "WHERE executor_id = ? AND status IN " + statuses.OWNED, [executorId]))


def reclaim(store, workflowId, executorId, epoch, now):
    """Takes a run over again with a new epoch (fencing any older holder);
    returns its RunRow, or None when another gateway was faster."""
    ds = store.query(
        "UPDATE {status} SET claim_epoch = claim_epoch + 1, "
        "recovery_attempts = recovery_attempts + 1, executor_id = ?, updated_ms = ?, "
        # A held run, or one whose handler is to be resumed, keeps its status
        # (states.ADOPTED); a running one waits for its new worker as PENDING.
        "status = CASE WHEN status IN " + statuses.RELEASABLE + " THEN 'PENDING' ELSE status END "
        "WHERE workflow_id = ? AND claim_epoch = ? AND status IN " + statuses.OWNED
        + " RETURNING " + ", ".join(RUN_COLUMNS), [executorId, now, workflowId, epoch])
    rows = runRows(ds)
    return rows[0] if rows else None


def release(store, workflowId, epoch, now):
    """Gives a run back to the queue (e.g. its workflow is not registered here)."""
    return store.update(
        "UPDATE {status} SET status = 'ENQUEUED', executor_id = NULL, updated_ms = ?, "
        "recovery_attempts = recovery_attempts + 1 "
        "WHERE workflow_id = ? AND claim_epoch = ? AND status IN " + statuses.RELEASABLE,
        [now, workflowId, epoch])


def deadLetter(store, workflowId, epoch, error, now):
    return store.update(
        "UPDATE {status} SET status = 'DEAD_LETTER', error = ?, finished_ms = ?, updated_ms = ?, "
        + _CLOSE_HELD + " WHERE workflow_id = ? AND claim_epoch = ? AND status IN "
        + statuses.OWNED, [error, now, now, now, workflowId, epoch])


# What get() adds for a run waiting without a thread (None otherwise): what
# it waits for (runs.WAIT_KINDS), when it is to be woken, since when it waits.
_RELEASED_NOW = "CASE WHEN " + _RELEASED + " AND status IN " + _WAITING + " THEN %s END"
_RELEASED_COLUMNS = ("waiting_for", "wake_ms", "released_ms")


def get(store, workflowId):
    ds = store.query(
        "SELECT " + ", ".join(DETAIL_COLUMNS) + ", "
        + ", ".join(_RELEASED_NOW % c for c in ("wait_kind", "wake_ms", "released_ms"))
        + " FROM {status} WHERE workflow_id = ?", [workflowId])
    rows = toDicts(ds, DETAIL_COLUMNS + _RELEASED_COLUMNS)
    return rows[0] if rows else None


def listRuns(store, filters, limit, offset):
    """Returns (rows, total) for the filters {status, workflowName, queueName, sinceMs, untilMs}."""
    where, args = [], []
    wanted = filters.get("status")
    if wanted:
        where.append("status IN (" + ", ".join(["?"] * len(wanted)) + ")")
        args.extend(wanted)
    for key, column in (("workflowName", "workflow_name"), ("queueName", "queue_name"),
                        ("partitionKey", "partition_key")):
        if filters.get(key) is not None:
            where.append(column + " = ?")
            args.append(filters[key])
    if filters.get("sinceMs") is not None:
        where.append("created_ms >= ?")
        args.append(filters["sinceMs"])
    if filters.get("untilMs") is not None:
        where.append("created_ms < ?")
        args.append(filters["untilMs"])
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    ds = store.query(
        "SELECT " + ", ".join(LIST_COLUMNS) + " FROM {status}" + clause
        + " ORDER BY created_ms DESC, workflow_id DESC LIMIT ? OFFSET ?", args + [limit, offset])
    total = store.query("SELECT COUNT(*) FROM {status}" + clause, args)
    return toDicts(ds, LIST_COLUMNS), int(total[0][0])


def queueCounts(store, queueName=None):
    """Returns [{queueName, status, count}] for active and finished runs."""
    clause, args = "", []
    if queueName is not None:
        clause, args = " WHERE queue_name = ?", [queueName]
    ds = store.query(
        "SELECT queue_name, status, COUNT(*) FROM {status}" + clause
        # Grouped in the order of the claim index (status, queue_name), which
        # MariaDB and SQL Server hold for every row: MariaDB then counts
        # along it instead of filling a temporary table (3-5x faster at a
        # million rows); only the few groups are sorted.
        + " GROUP BY status, queue_name ORDER BY queue_name, status", args)
    return [{"queueName": r[0], "status": r[1], "count": int(r[2])} for r in ds]


def inputsOf(store, workflowIds):
    """Returns {workflowId: inputs JSON} of the given runs (a page of a list)."""
    return dict((row[0], row[1]) for row in _byIds(store, "inputs", workflowIds, 500))


def reopen(store, workflowId, previousStatus, now, tx):
    """An ended run (``previousStatus``, one of states.RESUMABLE) -> ENQUEUED,
    to be claimed and replayed again (service.resume). Its deadline is
    cleared, so the claim gives it a full timeout from then, and the claim's
    new epoch fences anything left from before; a wait it had released its
    thread in is forgotten. Returns rows affected (0:
    the run changed meanwhile).

    Raises:
        UniqueViolation: another active run holds its deduplication id.
    """
    return store.update(
        "UPDATE {status} SET status = 'ENQUEUED', executor_id = NULL, output = NULL, "
        "error = NULL, finished_ms = NULL, deadline_ms = NULL, recovery_attempts = 0, "
        # A wait it was released in (then cancelled) is over: its detail
        # must not give the replayed wait an old deadline.
        "wait_detail = NULL, " + _CLEAR_WAIT + ", "
        "resumed_count = resumed_count + 1, updated_ms = ? WHERE workflow_id = ? AND status = ?",
        [now, workflowId, previousStatus], tx)


_FORK_COLUMNS = INSERT_COLUMNS + ("forked_from", "forked_from_step")


def insertFork(store, row, forkedFrom, fromStep, tx):
    """Inserts the ENQUEUED run ``row`` (INSERT_COLUMNS order) recording that
    it was forked from ``forkedFrom`` at operation ``fromStep``."""
    return store.update(
        "INSERT INTO {status} (" + ", ".join(_FORK_COLUMNS) + ") VALUES ("
        + ", ".join(["?"] * len(_FORK_COLUMNS)) + ")", list(row) + [forkedFrom, fromStep], tx)
