"""Long-lived state of the engine, kept in ``system.util.getGlobals()``.

Saving the project re-executes every library module, but threads started
earlier keep running the old code and the JVM keeps running. So everything
that must outlive a module version lives here, as Java objects or plain data
only: the worker pool, the in-memory burst queue, the set of running runs,
the control board that tells a running workflow "look at your row", and
counters. No Python class instance or function is stored here, so an old
module version is never pinned by the kernel.

The kernel owns its state transitions: a run enters the maps of runs
executing here only through ``addRun`` and leaves them only through
``dropRun`` (all three maps at once, whichever way the run ends), and the
worker pool changes size only through ``resizePool``.
"""
try:
    from java.lang import Boolean, Long, System, ThreadLocal
    from java.util.concurrent import (ConcurrentHashMap, ConcurrentLinkedQueue, LinkedBlockingQueue,
                                      ThreadPoolExecutor, TimeUnit)
    from java.util.concurrent.atomic import AtomicBoolean, AtomicInteger, AtomicLong, AtomicReference
    from java.util.concurrent.locks import ReentrantLock, ReentrantReadWriteLock
except ImportError:  # CPython: importable for unit tests, usable only on Jython.
    pass

from exchange.workflows.core import errors
from exchange.workflows.core.errors import ANY_ERROR

KEY = "exchange.workflows.kernel.v1"
# Bumped when _new() gains keys: a kernel created by older code (still in
# getGlobals() after a project save that upgraded the engine) gets them added.
SHAPE = 15

DEFAULTS = {
    "maxWorkers": 8,
    "inMemoryCapacity": 50000,
    "maxRecoveryAttempts": 5,
    "applicationVersion": None,
    "leaseSeconds": 30,
    # Stored and logged tracebacks name file, line and function of each
    # frame; their source lines (where a literal password may sit) only
    # when this is True.
    "storeTracebackSource": False,
    # Size limits (bytes of JSON text) and nesting depth of what a run
    # stores: inputs, a step's or workflow's output, an event or stream
    # value. They keep one careless call from filling the heap or a table.
    "maxInputBytes": 1000000,
    "maxOutputBytes": 1000000,
    "maxValueBytes": 256000,
    "maxJsonDepth": 100,
    # Bytes of inputs held by the in-memory queue at most (besides its count).
    "inMemoryMaxBytes": 64000000,
    # How long a run waiting outside a step keeps its worker thread before
    # releasing it (ms; -1: never). docs/control.md "Waits that hold no thread".
    "releaseAfterMs": 5000,
}


def _new():
    return {
        "shape": SHAPE,
        "createdMs": AtomicLong(0),
        "generation": AtomicLong(0),
        "config": ConcurrentHashMap(),
        "pool": AtomicReference(None),
        # The enqueueInMemory queue: lock-free, bounded by burstCount (and
        # burstBytes) against the inMemoryCapacity setting (engine/burst.py).
        # A kernel made by an older engine also has "burst", a bounded queue
        # the flush empties first.
        "burstItems": ConcurrentLinkedQueue(),
        "burstCount": AtomicInteger(0),
        "flushLock": ReentrantLock(),
        # dbName -> ReentrantLock: one dispatch cycle at a time per database.
        "dispatchLocks": ConcurrentHashMap(),
        # Claims (read side: a direct start, a claim and its submits) against
        # recovery's look at the runs this gateway owns (write side): a row
        # claimed here but not yet in "running" must not look orphaned.
        "claimGate": ReentrantReadWriteLock(),
        # workflowId -> (dbName, queueName): runs executing in this JVM.
        "running": ConcurrentHashMap(),
        # workflowId -> AtomicLong bumped whenever the run should look at its
        # row or mailbox (a local command, or the dispatcher's refresh).
        "board": ConcurrentHashMap(),
        # workflowId -> last cmd_seq the dispatcher saw in the database.
        "seenCmdSeq": ConcurrentHashMap(),
        # workflowId -> epoch ms: signals for runs with no board (yet). A run
        # claimed here gets its board only after its claim committed; a
        # command sent in between leaves its signal here for addRun.
        "earlySignals": ConcurrentHashMap(),
        "context": ThreadLocal(),
        "dialects": ConcurrentHashMap(),
        "schemaReady": ConcurrentHashMap(),
        # dbName -> True while this JVM may still own runs it is not running.
        "recoveryPending": ConcurrentHashMap(),
        # queueName -> True when more rows may be waiting (work-conserving claims).
        "moreWork": ConcurrentHashMap(),
        # queueName -> True while a wake-up claim for it waits for a worker.
        "wakePending": ConcurrentHashMap(),
        # queueName -> AtomicInteger: claims asked for and not yet made (see
        # dispatcher.conserve); non-zero while one thread claims for the queue.
        "claimRequests": ConcurrentHashMap(),
        # Worker slots taken by claims in progress (see reserveWorkers).
        "reserved": AtomicInteger(0),
        # True while a flush task triggered by a deep in-memory queue is pending.
        "flushScheduled": AtomicBoolean(False),
        "stats": ConcurrentHashMap(),
        # dbName -> maintenance mode ("" = none), as last read from the database.
        "maintenance": ConcurrentHashMap(),
        # dbName -> epoch ms before which dispatch does not try the database again.
        "backoffUntil": ConcurrentHashMap(),
        "backoffFailures": ConcurrentHashMap(),
        # dbName -> local time of this gateway's last lease renewal there.
        "leaseRenewedMs": ConcurrentHashMap(),
        # dbName -> when retention last ran here.
        "lastRetention": ConcurrentHashMap(),
        "lastDispatch": AtomicReference(None),
        "identity": AtomicReference(None),
        # Characters of inputs JSON held by the in-memory queue (bounded by
        # the inMemoryMaxBytes setting, like the queue's count by its capacity).
        "burstBytes": AtomicLong(0),
        # dbName -> True: connections this gateway has (checked by
        # enqueueInMemory without I/O; refreshed by dispatch, see burst.py).
        "knownDatabases": ConcurrentHashMap(),
        "knownDatabasesMs": AtomicLong(0),
        # workflowId -> epoch ms of the first INSERT of a queued in-memory row
        # whose outcome is unknown (the database went away mid-statement).
        "flushUnclear": ConcurrentHashMap(),
        # workflowId -> plain dict: in-memory requests whose connection is
        # gone from this gateway, set aside for an operator (bounded).
        "parkedInMemory": ConcurrentHashMap(),
        # dbName + NUL + debounceKey -> plain tuple: debounced requests
        # waiting for their window to close (engine/debounce.py).
        "debounce": ConcurrentHashMap(),
        # child workflowId -> parent workflowId, for children started by a
        # run of this JVM: a child ending here signals its waiting parent.
        "childParents": ConcurrentHashMap(),
        # dbName -> (Semaphore, ConcurrentLinkedQueue): the leaders and the
        # step checkpoints waiting for a shared INSERT (engine/committer.py).
        "commitGroups": ConcurrentHashMap(),
    }


# A dict, not a list: every method of a Jython list is synchronized, and
# this is read on every enqueueInMemory call, from many threads at once.
_key = {}


def _projectKey():
    # getGlobals() is shared by every project of the gateway: each project
    # that runs the engine gets its own kernel (pool, queue, identity).
    key = _key.get("key")
    if not key:
        try:
            project = system.util.getProjectName()
        except ANY_ERROR:
            project = None
        key = _key.setdefault("key", "%s:%s" % (KEY, project or ""))
    return key


def get():
    """Returns this project's kernel in this JVM, creating it on first use."""
    g = system.util.getGlobals()
    key = _projectKey()
    k = g.get(key)
    if not k:  # not "is None": Jython locks the object of an identity test that fails
        g.setdefault(key, _new())
        k = g[key]
        k["createdMs"].compareAndSet(0, _now())
    if k.get("shape") != SHAPE:
        for name, value in _new().items():
            if name not in k:
                k.setdefault(name, value)
        k["shape"] = SHAPE
    return k


def _now():
    return System.currentTimeMillis()


def config(name):
    value = get()["config"].get(name)
    return DEFAULTS.get(name) if value is None else value


def setConfig(name, value):
    if value is None:
        get()["config"].remove(name)
    else:
        get()["config"].put(name, value)


def pool():
    """Returns the worker pool, creating it once per JVM.

    Java's default thread factory is used on purpose: a Python factory would
    pin this module version. Idle threads time out, so a project that is
    disabled leaves nothing behind.
    """
    ref = get()["pool"]
    p = ref.get()
    if p is None:
        size = int(config("maxWorkers"))
        candidate = ThreadPoolExecutor(size, size, 30, TimeUnit.SECONDS, LinkedBlockingQueue())
        candidate.allowCoreThreadTimeOut(True)
        if ref.compareAndSet(None, candidate):
            p = candidate
        else:
            candidate.shutdown()
            p = ref.get()
    return p


_generation = []


def generation():
    """Returns this module version's generation number (1, 2, ... per project save).

    A worker still running an older version of the code must not start new
    runs: those belong to the newest code.
    """
    if not _generation:
        _generation.append(get()["generation"].incrementAndGet())
    return _generation[0]


def isCurrentGeneration():
    return generation() == get()["generation"].get()


def burstQueue():
    return get()["burstItems"]


def resizeBurstQueue(capacity):
    """True when the in-memory queue is empty, so its capacity may change;
    False if it holds items (they must be flushed first). The capacity is
    the inMemoryCapacity setting, which offers check (engine/burst.py)."""
    k = get()
    legacy = k.get("burst")
    return k["burstCount"].get() == 0 and (legacy is None or legacy.get().size() == 0)


def resizePool(size):
    """Sets ``maxWorkers`` and resizes the worker pool if it exists (it is
    created with the setting otherwise). Running tasks are not interrupted:
    a smaller pool shrinks as its threads finish."""
    size = int(size)
    setConfig("maxWorkers", size)
    p = get()["pool"].get()
    if p is not None:
        # Java refuses a core size above the maximum (and the reverse), so
        # the order depends on the direction: raise the maximum first.
        p.setMaximumPoolSize(max(size, p.getCorePoolSize()))
        p.setCorePoolSize(size)
        p.setMaximumPoolSize(size)


def addRun(workflowId, dbName, queueName, claimEpoch, cmdSeq):
    """Registers a claimed run about to execute here; returns its control board.

    The three maps change together: ``board`` (what the run watches),
    ``seenCmdSeq`` (what refresh compares the row with) and ``running``
    (what refresh and recovery look at), in that order, so a refresh that
    sees the run in ``running`` finds the other two. ``dropRun`` undoes it.
    """
    k = get()
    board = AtomicLong(0)
    k["board"].put(workflowId, board)
    # After the board is visible: a signal sent since the claim (signal()
    # found no board) is taken over, so the run looks at its mailbox at its
    # first safe point instead of at the next dispatcher refresh.
    if k["earlySignals"].remove(workflowId) is not None:
        board.incrementAndGet()
    k["seenCmdSeq"].put(workflowId, cmdSeq or 0)
    k["running"].put(workflowId, (dbName, queueName, claimEpoch))
    return board


def childEnded(workflowId):
    """A run stopped executing here: if a run of this JVM started it as a
    child, that parent is signalled (it looks at its children's rows)."""
    parent = get()["childParents"].remove(workflowId)
    if parent is not None:
        signal(parent)


def dropRun(workflowId, claimEpoch=None):
    """Forgets a run that ended here, or whose task could not be started:
    no entry is left in any of the maps ``addRun`` filled. With
    ``claimEpoch``, only the registration of that claim: a worker fenced off
    by a newer claim of the same run in this JVM leaves the newer one alone.
    Returns False when there was nothing of that claim to forget."""
    k = get()
    if claimEpoch is not None:
        entry = k["running"].get(workflowId)
        if entry is None or entry[2] != claimEpoch or not k["running"].remove(workflowId, entry):
            return False
    elif k["running"].remove(workflowId) is None:
        return False
    k["board"].remove(workflowId)
    k["seenCmdSeq"].remove(workflowId)
    k["earlySignals"].remove(workflowId)
    return True


def claimGate():
    """The ReentrantReadWriteLock claims hold for reading from before their
    database write until the run is registered (addRun), and recovery holds
    for writing while it reads the runs this gateway owns."""
    return get()["claimGate"]


def dispatchLock(dbName):
    locks = get()["dispatchLocks"]
    lock = locks.get(dbName)
    if lock is None:
        locks.putIfAbsent(dbName, ReentrantLock())
        lock = locks.get(dbName)
    return lock


def freeWorkers():
    k = get()
    return int(config("maxWorkers")) - k["running"].size() - k["reserved"].get()


def reserveWorkers(wanted):
    """Reserves up to ``wanted`` worker slots for a claim; returns how many.

    Several workers finishing at once each claim for the free slots: without
    a reservation taken atomically they would all count the same slots.
    Give them back with releaseWorkers() once the claimed runs are in
    ``running``."""
    reserved = get()["reserved"]
    while True:
        n = min(int(wanted), freeWorkers())
        if n <= 0:
            return 0
        current = reserved.get()
        if reserved.compareAndSet(current, current + n):
            if freeWorkers() < 0:  # raced with a submit: give back the excess
                excess = min(n, -freeWorkers())
                reserved.addAndGet(-excess)
                n -= excess
            return n


def claimRequests(queueName):
    requests = get()["claimRequests"]
    counter = requests.get(queueName)
    if counter is None:
        requests.putIfAbsent(queueName, AtomicInteger(0))
        counter = requests.get(queueName)
    return counter


def releaseWorkers(n):
    if n > 0:
        get()["reserved"].addAndGet(-n)


def count(name, delta=1):
    stats = get()["stats"]
    c = stats.get(name)
    if c is None:
        stats.putIfAbsent(name, AtomicLong(0))
        c = stats.get(name)
    return c.addAndGet(delta)


def signal(workflowId):
    """Tells the run (if it runs in this JVM) to look at its row and mailbox;
    returns True when it runs here.

    A run with no board may be between its claim here and addRun: the signal
    is left in ``earlySignals`` (addRun takes it), then the board looked up
    again, so whichever of the two comes second sees the other. Entries for
    runs that never register here (they run on another gateway) are dropped
    after EARLY_SIGNAL_MS by forgetEarlySignals."""
    k = get()
    v = k["board"].get(workflowId)
    if v is None:
        k["earlySignals"].put(workflowId, Long(_now()))
        v = k["board"].get(workflowId)
        if v is None:
            return False
        k["earlySignals"].remove(workflowId)
    v.incrementAndGet()
    return True


EARLY_SIGNAL_MS = 60000


def forgetEarlySignals(now):
    """Drops signals older than EARLY_SIGNAL_MS that no run took (called by
    each dispatch cycle): the map stays as small as the recent commands."""
    early = get()["earlySignals"]
    for entry in list(early.entrySet()):
        if now - entry.getValue() > EARLY_SIGNAL_MS:
            early.remove(entry.getKey(), entry.getValue())


def flag(mapName, key, value=True):
    get()[mapName].put(key, Boolean(bool(value)))


def isFlagged(mapName, key, default=False):
    v = get()[mapName].get(key)
    return default if v is None else bool(v)


def _runSecrets():
    ctx = get()["context"].get()
    return getattr(ctx, "secretValues", None) or ()


# Errors recorded or logged mask the running run's secrets and read the
# traceback setting through these (core/errors.py imports nothing above it).
errors.plug(_runSecrets, config)
