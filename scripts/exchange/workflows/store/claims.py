"""The claim transaction: ENQUEUED rows of one queue -> RUNNING on one gateway.

Claimers of a queue take turns on that queue's row in ``queues`` (the claim
starts by updating it, which takes its row lock on PostgreSQL and the write
lock on SQLite). So the concurrency counts and the partition check read
below cannot change under the claimer: no write skew between gateways. The
partial unique index on active partition keys is the last line of defence
(a claimer of *another* queue using the same key); if it fires, this claim
rolls back and the rows stay ENQUEUED for the next cycle.
"""
from collections import namedtuple

from exchange.workflows.store import db, statuses
from exchange.workflows.store.records import RUN_COLUMNS, Claimed, runRows


# Read with the claimed rows to decide ``fresh``: how often the run was
# resumed, and the run it was forked from.
_LINEAGE = ("resumed_count", "forked_from")

_LOCK_QUEUE = ("UPDATE {queues} SET last_claim_ms = ? WHERE queue_name = ? "
               "RETURNING concurrency, worker_concurrency, rate_limit, rate_period_ms")

# A queue's limits, as its locked row holds them (None: no limit).
Limits = namedtuple("Limits", "concurrency workerConcurrency rateLimit ratePeriodMs")
_NO_LIMITS = Limits(None, None, None, None)


def _lockQueue(store, queueName, now, tx):
    """Takes the queue row's lock; returns its Limits."""
    ds = store.query(_LOCK_QUEUE, [now, queueName], tx)
    if not len(ds):
        store.update("INSERT INTO {queues} (queue_name, last_claim_ms) VALUES (?, ?) "
                     "ON CONFLICT DO NOTHING", [queueName, now], tx)
        ds = store.query(_LOCK_QUEUE, [now, queueName], tx)
    return Limits(ds[0][0], ds[0][1], ds[0][2], ds[0][3]) if len(ds) else _NO_LIMITS


def _room(store, queueName, executorId, limit, limits, now, tx):
    concurrency, workerConcurrency = limits.concurrency, limits.workerConcurrency
    if limits.rateLimit is not None:
        # Starts in the last period, counted under the queue row's lock: the
        # claimers of every gateway take turns, so none can start past it.
        ds = store.query("SELECT COUNT(*) FROM {status} WHERE queue_name = ? AND started_ms > ?",
                         [queueName, now - int(limits.ratePeriodMs)], tx)
        limit = min(limit, int(limits.rateLimit) - int(ds[0][0]))
    if concurrency is not None and limit > 0:
        ds = store.query("SELECT COUNT(*) FROM {status} WHERE queue_name = ? "
                         "AND status IN " + statuses.OWNED, [queueName], tx)
        limit = min(limit, int(concurrency) - int(ds[0][0]))
    if workerConcurrency is not None and limit > 0:
        ds = store.query("SELECT COUNT(*) FROM {status} WHERE queue_name = ? "
                         "AND executor_id = ? AND status IN " + statuses.OWNED,
                         [queueName, executorId], tx)
        limit = min(limit, int(workerConcurrency) - int(ds[0][0]))
    return limit


def claim(store, queueName, executorId, names, appVersion, limit, now):
    """Claims up to ``limit`` runnable rows; returns Claimed(runs: RunRows
    in claim order, more), ``more`` True unless the queue was seen empty of
    rows this gateway could run (a concurrency limit or a busy partition
    leaves it True: a slot freeing up may make a row claimable).

    Only rows whose workflow is in ``names`` (registered on this gateway) and
    whose application version is NULL or ``appVersion`` (any, if None) are
    taken, lowest priority first, then oldest.
    """
    names = sorted(names)
    if limit <= 0 or not names:
        return Claimed([], False)
    try:
        with store.transaction() as tx:
            limits = _lockQueue(store, queueName, now, tx)
            wanted = limit
            limit = _room(store, queueName, executorId, limit, limits, now, tx)
            if limit <= 0:
                return Claimed([], True)
            args = [queueName] + names
            version = ""
            if appVersion is not None:
                version = " AND (w.application_version IS NULL OR w.application_version = ?)"
                args.append(appVersion)
            args.append(limit * 2 + 8)
            ds = store.query(
                "SELECT w.workflow_id, w.partition_key FROM {status} w{claimHint} "
                "WHERE w.status = 'ENQUEUED' AND w.queue_name = ? AND w.workflow_name IN ("
                + ", ".join(["?"] * len(names)) + ")" + version
                + " AND (w.partition_key IS NULL OR NOT EXISTS (SELECT 1 FROM {status} a "
                "WHERE a.partition_key = w.partition_key AND a.status IN " + statuses.OWNED + "))"
                " ORDER BY w.priority, w.created_ms, w.workflow_id LIMIT ?{skipLocked}", args, tx)
            chosen, partitions = [], set()
            more = limit < wanted or len(ds) > 0
            for row in ds:
                key = row[1]
                if key is not None:
                    if key in partitions:
                        continue
                    partitions.add(key)
                chosen.append(row[0])
                if len(chosen) >= limit:
                    break
            if not chosen:
                return Claimed([], more and len(ds) > 0)
            more = limit < wanted or len(ds) > len(chosen)
            # Straight to RUNNING: a worker slot was reserved for each row
            # before the claim, so there is no wait worth a PENDING state and
            # a second commit. A row never started before (no recovery) has
            # no history to load.
            ds = store.query(
                "UPDATE {status} SET status = 'RUNNING', executor_id = ?, "
                "claim_epoch = claim_epoch + 1, started_ms = COALESCE(started_ms, ?), "
                "deadline_ms = COALESCE(deadline_ms, ? + timeout_ms), updated_ms = ? "
                "WHERE status = 'ENQUEUED' AND workflow_id IN ("
                + ", ".join(["?"] * len(chosen)) + ") RETURNING "
                + ", ".join(RUN_COLUMNS + _LINEAGE), [executorId, now, now, now] + chosen, tx)
            rows = runRows(ds)
            n = len(RUN_COLUMNS)
            for row, values in zip(rows, ds):
                # A resumed or forked run has recorded operations although
                # it was never recovered: only a run with none of the three
                # starts without its history.
                row.fresh = (not row.recoveryAttempts and not values[n]
                             and values[n + 1] is None)
    except (db.UniqueViolation, db.LockTimeout):
        return Claimed([], True)  # raced by another claimer, or its lock holder is stalled: try again
    order = dict((wid, i) for i, wid in enumerate(chosen))
    rows.sort(key=lambda r: order.get(r.workflowId, 0))
    return Claimed(rows, more)
