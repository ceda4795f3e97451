"""The in-memory burst queue behind ``enqueueInMemory``.

Producers (tag-change threads) only ``offer`` a tuple of plain data: no
I/O and no lock, none shared with the flusher either. An offer reserves its
place in two atomic counters of the kernel, the count (bounded by the
inMemoryCapacity setting) and the characters of inputs JSON (bounded by
inMemoryMaxBytes), and is refused with nothing held if either bound would
be passed; then it appends to a lock-free ``ConcurrentLinkedQueue``. The
counters, not the queue, say how much is held: they are never below it, so
the bounds hold (core/reservation.py). A request for a connection this
gateway does not have is refused at once (UNKNOWN_DATABASE).

The single flusher (whoever holds the flush lock) reads a batch from the
head *without removing it* (the longest run of items for one database),
inserts it, and removes from memory only what is settled, then gives its
count and bytes back. Only the flusher removes, so the items it read are
still the head when it removes them. Invariants:

1. An item leaves memory only once it is settled: its row is committed (or
   was dropped by ON CONFLICT as a duplicate), or it is parked: set aside in
   the database's parked table, or, when its connection is gone from the
   gateway, in the kernel's bounded list (see engine/parking.py).
2. A bad row cannot block the rows behind it. A batch the database refuses
   (a DatabaseError, not an outage) is split in halves until each refused
   row is alone; a refused row is parked when the refusal is about its own
   values (store/parked.isRowRefusal) or when another row of the batch went
   in. A database that refuses every row (a missing table, a revoked
   permission) keeps everything queued, like an outage, and says so.
3. An id is spent once its row may have been committed: it is never
   inserted again after it could have been deleted. A statement refused
   with a DatabaseError committed nothing; one that failed with
   DatabaseUnavailable may have committed (the answer was lost), so its
   rows are recorded in the kernel's ``flushUnclear`` with the time it was
   sent. Such a row is inserted again only within UNCLEAR_RETRY_MS of that
   time: retention never deletes a run within maintenance.RETENTION_FLOOR_MS
   (twice as long, a margin for clocks that disagree) of its end, which
   comes after its insert, so a committed copy still exists and ON CONFLICT
   DO NOTHING makes the retry harmless. Past the window the flusher only
   asks whether the row exists: it does -> settled; it does not -> parked
   with the reason "outcome unknown" (it may have run and been deleted
   since), for an operator to decide.
"""
from exchange.workflows.core import clock, codec, logs
from exchange.workflows.engine import backoff, database, identity, kernel, maintenance
from exchange.workflows.core import reservation
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import (ANY_ERROR, DatabaseError, DatabaseUnavailable,
                                              InvalidArguments)
from exchange.workflows.core.validate import INTS
from exchange.workflows.store import db, parked, runs

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
# See invariant 3 above.
UNCLEAR_RETRY_MS = maintenance.RETENTION_FLOOR_MS // 2
# Requests kept in memory because their connection is gone, at most.
PARKED_IN_MEMORY_MAX = 1000
# Parked rows logged one by one per flush; the rest in one summary line.
LOGGED_PER_FLUSH = 10
# How often dispatch re-reads the gateway's connection names.
KNOWN_DATABASES_REFRESH_MS = 60000

_INPUTS = runs.INSERT_COLUMNS.index("inputs")
UNCLEAR_REASON = ("the outcome of an earlier INSERT of this request is unknown (the connection "
                  "failed during it) and no run with its id exists now: it may never have been "
                  "stored, or it ran and retention deleted it since. Retry it only if its work "
                  "did not happen")


def offer(dbName, row):
    """Queues one row (a tuple in runs.INSERT_COLUMNS order).

    Returns:
        The queue's depth just after the offer, at least 1; 0 only when the
        queue was full (in count or in bytes) and the row was NOT queued. (A
        flusher may already have taken the row when the depth is read: the
        caller must still be told it was accepted, or it might retry and run
        it twice.)

    Raises:
        InvalidArguments (UNKNOWN_DATABASE): this gateway has no connection ``dbName``.
    """
    k = kernel.get()
    if not k["knownDatabases"].get(dbName):  # a map lookup: the check costs no I/O once known
        requireDatabase(dbName)
    inputs = row[_INPUTS]
    size = len(inputs) if isinstance(inputs, TEXT) else 0
    config = k["config"]
    depth = reservation.take(k["burstCount"], k["burstBytes"], size,
                             config.get("inMemoryCapacity") or kernel.DEFAULTS["inMemoryCapacity"],
                             config.get("inMemoryMaxBytes") or kernel.DEFAULTS["inMemoryMaxBytes"])
    if not depth:
        return 0
    k["burstItems"].offer((dbName, row))  # lock-free, and unbounded: the reservation bounds it
    if depth >= EAGER_DEPTH and k["flushScheduled"].compareAndSet(False, True):
        kernel.pool().execute(_eagerFlush)
    return depth


def requireDatabase(dbName):
    """Remembers ``dbName`` as a connection of this gateway, or raises
    InvalidArguments with code UNKNOWN_DATABASE."""
    if not _connectionExists(dbName, True):
        raise InvalidArguments(
            "dbName is not a database connection of this gateway (see Config > Databases; the "
            "default is 'WorkflowsDB'); nothing was queued.", code="UNKNOWN_DATABASE")
    kernel.get()["knownDatabases"].put(dbName, True)


def _connectionExists(dbName, strict=False):
    """Asks the gateway whether it has a connection named ``dbName``. Only
    ``strict`` callers hear False when the gateway cannot be asked."""
    try:
        return db.connectionExists(dbName)
    except ANY_ERROR:
        return not strict


def refreshKnownDatabases(now):
    """Forgets connections deleted from the gateway (at most once a minute):
    enqueueInMemory then refuses them again instead of queueing requests
    that no flush could store."""
    k = kernel.get()
    last = k["knownDatabasesMs"]
    previous = last.get()
    if now - previous < KNOWN_DATABASES_REFRESH_MS or not last.compareAndSet(previous, now):
        return
    known = k["knownDatabases"]
    if known.isEmpty():
        return
    try:
        names = set(name.lower() for name in db.connectionNames() if isinstance(name, TEXT))
    except ANY_ERROR:
        return  # the gateway could not be asked: keep what is known, ask again next minute
    for name in list(known.keySet()):
        if name.lower() not in names:
            known.remove(name)


def _eagerFlush():
    try:
        flush(FLUSH_BATCH, EAGER_FLUSH_MS)
    except ANY_ERROR:
        pass  # the database is away: the timer's dispatch reports it and retries
    finally:
        kernel.get()["flushScheduled"].set(False)


def depth():
    """Requests held in memory (those being offered right now included)."""
    return kernel.get()["burstCount"].get() + _legacyDepth()


def _legacyQueue():
    """The bounded queue of a kernel made by an engine older than the
    lock-free queue (a project save upgraded the engine under it): what it
    still holds is flushed first. None when there is none or it is empty."""
    ref = kernel.get().get("burst")
    queue = None if ref is None else ref.get()
    return queue if queue is not None and queue.size() > 0 else None


def _legacyDepth():
    queue = _legacyQueue()
    return 0 if queue is None else queue.size()


def heldBytes():
    return kernel.get()["burstBytes"].get()


def flush(maxItems, maxMs):
    """Settles queued rows in batches for up to ``maxMs``; returns how many
    left memory (inserted, dropped as duplicates, or parked).

    Raises:
        DatabaseUnavailable / DatabaseError: the head batch's database could
        not take it; it and everything behind it stay queued, in order.
    """
    k = kernel.get()
    lock = k["flushLock"]
    if not lock.tryLock():
        return 0
    try:
        flushed, started = 0, clock.nowMs()
        log = _ParkLog()
        try:
            while True:
                legacy = _legacyQueue()
                queue = k["burstItems"] if legacy is None else legacy
                dbName, batch = _head(queue, maxItems)
                if not batch:
                    return flushed
                settled, error = _settle(dbName, batch, log)
                if settled:
                    _drop(queue, batch[:settled], legacy is None)
                    flushed += settled
                if error is not None:
                    raise error
                if clock.nowMs() - started >= maxMs:
                    return flushed
        finally:
            log.summary()
    finally:
        lock.unlock()


def _head(queue, count):
    """Returns (dbName, items): up to ``count`` items from the head of
    ``queue`` that share its first item's database, leaving them there."""
    batch, dbName = [], None
    for item in queue:  # Jython walks a Java collection without a reflective call per item
        if not batch:
            dbName = item[0]
        elif item[0] != dbName:
            break
        batch.append(item)
        if len(batch) >= count:
            break
    return dbName, batch


def _drop(queue, items, counted=True):
    """Removes the settled ``items`` (the head of ``queue``: only the
    flusher removes) from memory, then gives back their count and bytes
    (``counted``: the items of a legacy queue hold no count)."""
    for _item in items:
        queue.poll()
    size = 0
    for _db, row in items:
        inputs = row[_INPUTS]
        if isinstance(inputs, TEXT):
            size += len(inputs)
    k = kernel.get()
    reservation.give(k["burstCount"], k["burstBytes"], len(items) if counted else 0, size)
    unclear = k["flushUnclear"]
    if not unclear.isEmpty():
        for _db, row in items:
            unclear.remove(row[0])


def _settle(dbName, items, log):
    """Inserts or parks the rows of ``items`` (all for ``dbName``).

    Returns (settled, error): how many leading items are settled, and the
    error that stopped the rest (None when all are settled).
    """
    rows = [item[1] for item in items]
    now = clock.nowMs()
    try:
        backoff.check(dbName, now)
    except DatabaseUnavailable as e:
        return 0, e
    try:
        store = database.prepare(dbName)
    except (DatabaseUnavailable, DatabaseError) as e:
        if not _connectionExists(dbName):
            return _parkAllInMemory(dbName, rows, log), None
        if isinstance(e, DatabaseUnavailable):
            backoff.failed(dbName, now)
        return 0, _stopped(dbName, e)
    batch = _Batch(store, rows, log)
    error = batch.run(now)
    if error is not None and isinstance(error, DatabaseUnavailable):
        if not _connectionExists(dbName):
            batch.parkRestInMemory()
            error = None
        else:
            backoff.failed(dbName, now)
    elif error is None:
        backoff.succeeded(dbName)
    return batch.settledPrefix(), (None if error is None else _stopped(dbName, error))


def _stopped(dbName, e):
    """The error a flush stops on, told by its root cause: never the SQL or
    the values of the rows (they may hold inputs)."""
    if not isinstance(e, (DatabaseUnavailable, DatabaseError)) or not hasattr(e, "sqlState"):
        return e  # the engine's own message (backing off), or not a database error
    if isinstance(e, DatabaseUnavailable):
        cause = (e.driverMessage or "").split("\n")[0][:200] or "SQLState %s" % (e.sqlState or "?")
        stopped = DatabaseUnavailable("Database '%s' is unavailable (%s); its in-memory requests "
                                      "stay queued." % (dbName, cause))
    else:
        state = e.sqlState or ""
        # Errors about rows (22, 23, a trigger) may quote values; the others
        # (a missing table, a permission) name only the database's objects.
        cause = parked.reasonOf(e) if state[:2] in ("", "22", "23", "P0") else \
            "SQLState %s: %s" % (state, (e.driverMessage or "").split("\n")[0][:200])
        stopped = DatabaseError("Database '%s' failed on the in-memory requests (%s); they stay "
                                "queued." % (dbName, cause))
    stopped.sqlState, stopped.driverMessage = e.sqlState, e.driverMessage
    return stopped


class _Batch(object):
    """One flush batch for one database: which rows are settled so far."""

    def __init__(self, store, rows, log):
        self.store, self.rows, self.log = store, rows, log
        self.done = [False] * len(rows)
        self.refused = []  # (index, DatabaseError) of rows refused on their own
        self.inserted = False
        self.unclear = kernel.get()["flushUnclear"]

    def settledPrefix(self):
        for i, done in enumerate(self.done):
            if not done:
                return i
        return len(self.done)

    def run(self, now):
        """Settles what it can; returns the error that stopped it, or None."""
        fresh, stale = self._split(now)
        try:
            if stale:
                self._settleStale(stale, now)
            if fresh:
                self._insert(fresh)
        except DatabaseUnavailable as e:
            return e
        return self._parkRefused()

    def _split(self, now):
        """Indexes of rows to insert, and of rows whose earlier INSERT had an
        unknown outcome too long ago to be repeated (invariant 3)."""
        if self.unclear.isEmpty():
            return list(range(len(self.rows))), []
        fresh, stale = [], []
        for i, row in enumerate(self.rows):
            first = self.unclear.get(row[0])
            if first is not None and now - first > UNCLEAR_RETRY_MS:
                stale.append(i)
            else:
                fresh.append(i)
        return fresh, stale

    def _settleStale(self, indexes, now):
        present = runs.existing(self.store, [self.rows[i][0] for i in indexes])
        for i in indexes:
            if self.rows[i][0] in present:
                self.done[i] = True
            else:
                self._park(i, UNCLEAR_REASON, now)

    def _insert(self, indexes):
        """Inserts rows[indexes] in one statement, halving the batch when
        the database refuses it, until each refused row is alone."""
        sent = clock.nowMs()
        try:
            runs.insert(self.store, [self.rows[i] for i in indexes])
        except DatabaseUnavailable:
            for i in indexes:  # the statement may have committed: see invariant 3
                self.unclear.putIfAbsent(self.rows[i][0], sent)
            raise
        except DatabaseError as e:
            if len(indexes) == 1:
                self.refused.append((indexes[0], e))
                return
            half = len(indexes) // 2
            self._insert(indexes[:half])
            self._insert(indexes[half:])
            return
        self.inserted = True
        for i in indexes:
            self.done[i] = True
            kernel.flag("moreWork", self.rows[i][3])

    def _parkRefused(self):
        """Parks the rows refused on their own (invariant 2); returns the
        error that keeps the others queued, or None."""
        now = clock.nowMs()
        for i, e in self.refused:
            if not (self.inserted or parked.isRowRefusal(e)):
                return e  # every row refused, for no reason of its own: a database problem
            try:
                self._park(i, parked.reasonOf(e), now)
            except DatabaseUnavailable as stop:
                return stop
        return None

    def _park(self, i, reason, now):
        """Sets row ``i`` aside in the parked table; in memory if the
        database refuses even that. Raises DatabaseUnavailable."""
        row = self.rows[i]
        try:
            parked.insert(self.store, row[0], requestJson(row), reason,
                          identity.executorId(), now)
        except DatabaseError:
            parkInMemory(self.store.dbName, row, reason, now)
        self.log.note(self.store.dbName, row, reason)
        kernel.count("parkedRequests")
        self.done[i] = True

    def parkRestInMemory(self):
        """The connection is gone from the gateway: what is not settled goes
        to the kernel's parked list."""
        rest = [i for i, done in enumerate(self.done) if not done]
        _parkAllInMemory(self.store.dbName, [self.rows[i] for i in rest], self.log)
        for i in rest:
            self.done[i] = True


def _parkAllInMemory(dbName, rows, log):
    database.forget(dbName)
    kernel.get()["knownDatabases"].remove(dbName)
    reason = "the gateway has no database connection named %r any more" % (dbName,)
    now = clock.nowMs()
    for row in rows:
        parkInMemory(dbName, row, reason, now)
        log.note(dbName, row, reason)
        kernel.count("parkedRequests")
    return len(rows)


def parkInMemory(dbName, row, reason, now):
    """Keeps a request that no database can hold, as plain data, in the
    kernel's bounded list; past its bound the oldest entry is dropped."""
    entries = kernel.get()["parkedInMemory"]
    if entries.size() >= PARKED_IN_MEMORY_MAX:
        oldest = min(entries.values(), key=lambda e: e["parkedMs"])
        entries.remove(oldest["workflowId"])
        kernel.count("parkedInMemoryDropped")
        _logger().warnf("parked in-memory request %s dropped: more than %d requests are parked "
                        "in memory", oldest["workflowId"], PARKED_IN_MEMORY_MAX)
    if unclearSince(row[0]) is not None:
        reason += "; an earlier INSERT of it had an unknown outcome"
    wid = row[0] if isinstance(row[0], TEXT) else repr(row[0])
    entries.put(wid, {"workflowId": wid, "dbName": dbName, "request": requestOf(row),
                      "reason": reason, "executorId": identity.executorId(), "parkedMs": now,
                      "attempts": 1})


def unclearSince(workflowId):
    if not isinstance(workflowId, TEXT):
        return None
    return kernel.get()["flushUnclear"].get(workflowId)


def requestOf(row):
    """The row as a dict of plain values keyed by column (what is parked)."""
    out = {}
    for name, value in zip(runs.INSERT_COLUMNS, row):
        if isinstance(value, INTS):
            value = int(value)
        elif value is not None and not isinstance(value, (TEXT, float)):
            value = repr(value)[:1000]
        out[name] = value
    return out


def requestJson(row):
    return codec.encode(requestOf(row))


def _logger():
    return logs.get("burst")


class _ParkLog(object):
    """Logs each parked request once, at WARN, without its inputs; past
    LOGGED_PER_FLUSH in one flush, one summary line instead."""

    def __init__(self):
        self.count = 0

    def note(self, dbName, row, reason):
        self.count += 1
        if self.count <= LOGGED_PER_FLUSH:
            _logger().warnf("in-memory request %s (workflow %s, queue %s) could not be stored in "
                            "%s: %s. It is parked: see listParked/retryParked/discardParked in "
                            "exchange.workflows.api.parked.", _label(row[0]), _label(row[1]),
                            _label(row[3]), dbName, reason)

    def summary(self):
        if self.count > LOGGED_PER_FLUSH:
            _logger().warnf("%d more in-memory requests were parked by this flush (see "
                            "listParked).", self.count - LOGGED_PER_FLUSH)


def _label(value):
    text = value if isinstance(value, TEXT) else repr(value)
    return text[:100]
