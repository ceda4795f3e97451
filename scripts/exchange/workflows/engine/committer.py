"""Group commit of step checkpoints: the records of runs that checkpoint at
the same moment share one INSERT (one statement, one commit).

**Off by default**: it is switched on per JVM with
``-Dexchange.workflows.groupCommit=on`` (see _enabled for why). Off, every
record is written alone, as before (replay.Replay.record).

There is no committer thread (nothing to stop at shutdown). A worker that
has a record to write puts it in its database's queue and then either leads
or waits:

- a leader is a worker that takes one of the group's LEADERS permits; it
  writes what the queue holds (up to MAX_BATCH records) in one statement,
  marks each record done and wakes its owner, and goes on with what queued
  meanwhile (MAX_ROUNDS batches at most) before it hands over;
- while its statement is in flight, other workers' records queue up behind
  it: the next batch takes them all. One run alone waits for nobody: it
  leads at once and writes its record alone, with the same statement as
  without sharing (checkpoints.record).

Durability is unchanged: a worker returns only once a statement holding its
record has committed (each is autocommitted). Each record keeps its own
guard (claim epoch, owned status) inside the shared INSERT. Whenever the
shared statement does not plainly succeed for every record -- an error (a
poison row, an outage, a lost commit answer) or fewer rows than records (a
run fenced off or cancelled) -- nothing is decided for anyone: each owner
writes its own record again on its own, with the single-record path and its
usual error handling (replay.Replay.record). A record the shared statement
did insert then meets its own row (a unique violation, which
confirmOwnWrite accepts while the run is still ours), a refused one is
refused again, and a poison row fails only its own run.

The queues and locks live in the kernel (getGlobals): a project save
re-executes this module while workers may be waiting. A queued record is
a plain list; nothing of it outlives its write.
"""
from exchange.workflows.core.errors import ANY_ERROR
from exchange.workflows.engine import kernel
from exchange.workflows.store import checkpoints

try:
    from java.lang import System, Thread
    from java.util.concurrent import ConcurrentLinkedQueue, Semaphore
    from java.util.concurrent.locks import LockSupport
except ImportError:  # CPython: importable for unit tests, usable only on Jython.
    pass

# Records in one statement at most: 10 parameters each, far below every
# database's limit (SQL Server's 2,100), and a statement short enough that
# a batch that has to be written again record by record costs little.
MAX_BATCH = 32
# Statements in flight at once per database: one would leave a core idle
# while its leader binds and waits.
LEADERS = 2
# Batches one leader writes in a row before it hands over.
MAX_ROUNDS = 4
# A waiting worker looks at the queue again after this long even if no
# leader woke it (a safety net: every leader wakes the next one).
PARK_NS = 20 * 1000 * 1000



def _enabled():
    # Off unless the JVM says -Dexchange.workflows.groupCommit=on: measured on
    # a 2-core machine with PostgreSQL on the same host (docs/benchmarks.md),
    # sharing did not pay -- PostgreSQL already flushes concurrent commits
    # together, and one statement in flight per leader leaves a core idle.
    try:
        return System.getProperty("exchange.workflows.groupCommit", "off") == "on"
    except NameError:
        return False


ENABLED = _enabled()

# A queued record: [store, workflowId, epoch, op, owner thread, state].
_STORE, _WID, _EPOCH, _OP, _THREAD, _STATE = range(6)
# States: waiting; written by a shared statement; to be written by its owner.
PENDING, DONE, YOURS = 0, 1, 2


def _group(dbName):
    """The (Semaphore of the leaders, queue) of a database's records."""
    groups = kernel.get()["commitGroups"]
    group = groups.get(dbName)
    if group is None:
        groups.putIfAbsent(dbName, (Semaphore(LEADERS), ConcurrentLinkedQueue()))
        group = groups.get(dbName)
    return group


def record(store, workflowId, epoch, op):
    """Writes ``op`` (an Operation) for the run held with ``epoch``, in a
    statement shared with other runs' records when some are waiting.

    Returns 1 once the record is committed, or None: the shared statement did
    not plainly succeed, and the caller writes the record itself
    (checkpoints.record with its own error handling)."""
    if not ENABLED:
        return None
    leaders, queue = _group(store.dbName)
    entry = [store, workflowId, epoch, op, Thread.currentThread(), PENDING]
    queue.offer(entry)
    while entry[_STATE] == PENDING:
        # An empty queue: a leader took our record and will wake us.
        if not queue.isEmpty() and leaders.tryAcquire():
            try:
                # Handing over to a parked worker costs a wake-up, as long as
                # a whole statement on a busy machine: the leader writes what
                # queued meanwhile too (a few batches at most).
                rounds = 0
                while rounds < MAX_ROUNDS and not queue.isEmpty():
                    _lead(queue)
                    rounds += 1
            finally:
                leaders.release()
            # Whoever queued while every leader was busy parked: the first
            # of them leads next (it takes everyone queued behind it too).
            head = queue.peek()
            if head is not None:
                LockSupport.unpark(head[_THREAD])
        else:
            LockSupport.parkNanos(PARK_NS)
    return 1 if entry[_STATE] == DONE else None


def _lead(queue):
    """Writes up to MAX_BATCH queued records (the leader's own among them)."""
    batch = []
    while len(batch) < MAX_BATCH:
        entry = queue.poll()
        if entry is None:
            break
        batch.append(entry)
    if not batch:  # the other leader took them
        return
    kernel.count("commitStatements")
    kernel.count("commitRecords", len(batch))
    try:
        if _write(batch):
            for entry in batch:
                entry[_STATE] = DONE
    finally:
        me = Thread.currentThread()
        for entry in batch:
            if entry[_STATE] == PENDING:
                entry[_STATE] = YOURS
            if entry[_THREAD] != me:
                LockSupport.unpark(entry[_THREAD])


def _write(batch):
    """True when every record of ``batch`` was inserted by one statement."""
    store = batch[0][_STORE]
    try:
        if len(batch) == 1:
            e = batch[0]
            return checkpoints.record(store, e[_WID], e[_EPOCH], e[_OP]) == 1
        return checkpoints.recordMany(
            store, [(e[_WID], e[_EPOCH], e[_OP]) for e in batch]) == len(batch)
    except ANY_ERROR:
        # Each owner writes its record again alone, and meets the error (or
        # not) with its own run's handling.
        return False
