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

try:
    from java.util import ArrayList
except ImportError:  # CPython: importable for unit tests, usable only on Jython.
    pass

# A queue this deep does not wait for the timer: one flush task is put on
# the pool, so that sustained intake is not capped by the timer's budget.
EAGER_DEPTH = 200
EAGER_FLUSH_MS = 200
# Rows per INSERT of the flush a deep queue schedules. Bigger batches pay
# the per-statement cost (round trip, commit) less often: on PostgreSQL
# 1,000-row batches flush 1.2-1.4 times as many rows per second as 200-row
# ones (docs/benchmarks.md). 1,000 rows bind 13,000 parameters, well below
# the 32,766 that SQLite accepts.
FLUSH_BATCH = 1000


def offer(dbName, row):
    """Queues one row (a tuple in runs.INSERT_COLUMNS order).

    Returns:
        The queue's depth just after the offer, at least 1; 0 only when the
        queue was full and the row was NOT queued. (A flusher may already
        have taken the row when the depth is read: the caller must still be
        told it was accepted, or it might retry and run it twice.)
    """
    k = kernel.get()
    queue = k["burst"].get()
    if not queue.offer((dbName, row)):
        return 0
    depth = queue.size()
    if depth >= EAGER_DEPTH and k["flushScheduled"].compareAndSet(False, True):
        kernel.pool().execute(_eagerFlush)
    return depth if depth > 0 else 1


def _eagerFlush():
    try:
        flush(FLUSH_BATCH, EAGER_FLUSH_MS)
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
            batch = _head(queue, maxItems)
            if not batch:
                return flushed
            byDb = {}
            for dbName, row in batch:
                rows = byDb.get(dbName)
                if rows is None:
                    rows = byDb[dbName] = []
                rows.append(row)
            for dbName, rows in byDb.items():
                runs.insert(dbName, database.prepare(dbName), rows)
                for queueName in set(row[3] for row in rows):
                    kernel.flag("moreWork", queueName)
            queue.drainTo(ArrayList(len(batch)), len(batch))  # durable now: drop them from memory
            flushed += len(batch)
            if clock.nowMs() - started >= maxMs:
                return flushed
    finally:
        lock.unlock()


def _head(queue, count):
    """Returns up to ``count`` items from the head of ``queue``, leaving them there."""
    batch = []
    for item in queue:  # Jython walks a Java collection without a reflective call per item
        batch.append(item)
        if len(batch) >= count:
            break
    return batch
