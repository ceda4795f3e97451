"""The in-memory burst queue behind ``enqueueInMemory``.

Producers (tag-change threads) only ``offer`` a tuple of plain data to a
bounded Java queue: no I/O, no lock held across calls. The single flusher
(whoever holds the flush lock) reads a batch from the head *without
removing it*, inserts it, and removes it only after the commit. So an item
leaves memory only once its row is durable; if the commit's outcome is
unknown the batch is inserted again, and ON CONFLICT on the pre-assigned
workflow id makes that harmless.
"""
from exchange.workflows.engine import clock, database, kernel
from exchange.workflows.engine.errors import ANY_ERROR
from exchange.workflows.store import runs


# A queue this deep does not wait for the timer: one flush task is put on
# the pool, so that sustained intake is not capped by the timer's budget.
EAGER_DEPTH = 200
EAGER_FLUSH_MS = 200


def offer(dbName, row):
    """Queues one row (a tuple in runs.INSERT_COLUMNS order); False when full."""
    queue = kernel.burstQueue()
    if not queue.offer((dbName, row)):
        return False
    if queue.size() >= EAGER_DEPTH:
        scheduled = kernel.get()["flushScheduled"]
        if scheduled.compareAndSet(False, True):
            kernel.pool().execute(_eagerFlush)
    return True


def _eagerFlush():
    try:
        flush(EAGER_DEPTH, EAGER_FLUSH_MS)
    except ANY_ERROR:
        pass  # the database is away: the timer's dispatch reports it and retries
    finally:
        kernel.get()["flushScheduled"].set(False)


def depth():
    return kernel.burstQueue().size()


def flush(maxItems, maxMs):
    """Inserts queued rows in batches for up to ``maxMs``; returns rows flushed.

    Raises:
        DatabaseUnavailable / DatabaseError: the batch stays queued.
    """
    k = kernel.get()
    queue, lock = kernel.burstQueue(), k["flushLock"]
    if not lock.tryLock():
        return 0
    try:
        flushed, started = 0, clock.nowMs()
        while True:
            batch = []
            it = queue.iterator()
            while it.hasNext() and len(batch) < maxItems:
                batch.append(it.next())
            if not batch:
                return flushed
            byDb = {}
            for dbName, row in batch:
                byDb.setdefault(dbName, []).append(row)
            for dbName, rows in byDb.items():
                runs.insert(dbName, database.prepare(dbName), rows)
                for row in rows:
                    kernel.flag("moreWork", row[3])
            for _ in batch:
                queue.poll()
            flushed += len(batch)
            if clock.nowMs() - started >= maxMs:
                return flushed
    finally:
        lock.unlock()
