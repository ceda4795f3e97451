"""Claims and starts runs: the phases of the dispatch cycle (engine/cycle.py)
that take runs -- refresh, recover, wake (released runs that are due),
claim, submit -- and the work-conserving path: a worker that finishes a run claims the next
row of its queue itself, and ``start()`` on this gateway asks for a claim at
once, so a free worker never waits for the next timer tick.

"""
from exchange.workflows.core import clock, codec, logs, states
from exchange.workflows.engine import (children, database, executor, identity, kernel, leases,
                                       maintenance, registry, sleeping)
from exchange.workflows.core.errors import ANY_ERROR, describe
from exchange.workflows.store import runs
from exchange.workflows.store.claims import claim
from exchange.workflows.store.records import RunRow

try:
    from java.lang import System, Thread
    from java.util.concurrent import TimeUnit
    from java.util.concurrent.locks import LockSupport
except ImportError:
    pass

# How long recovery waits for claims in progress here (each is one short
# transaction) before leaving its work to the next cycle.
RECOVERY_GATE_WAIT_MS = 5000


def _logger():
    return logs.get("dispatcher")


def refresh(store):
    """Bumps the board of every local run whose row changed (command, cancel,
    takeover) since the last look: one query per 100 running runs."""
    k = kernel.get()
    kernel.forgetEarlySignals(clock.nowMs())
    seen, running, signalled = k["seenCmdSeq"], k["running"], 0
    ids = [wid for wid, info in _snapshot(running) if info[0] == store.dbName]
    if not ids:
        return 0
    control = runs.control(store, ids)
    for wid in ids:
        info = running.get(wid)
        row = control.get(wid)
        if info is None:
            continue
        changed = row is None or row.claimEpoch != info[2] or row.status in states.FINISHED
        if row is not None and seen.get(wid) != row.cmdSeq:
            changed = changed or seen.get(wid) is not None
            # replace, not put: a run that ended meanwhile (kernel.dropRun)
            # gets no entry back.
            seen.replace(wid, row.cmdSeq)
        if changed:
            kernel.signal(wid)
            signalled += 1
    return signalled


def _snapshot(running):
    """(workflowId, info) pairs of the running map; runs may end meanwhile."""
    out = []
    for wid in list(running.keySet()):
        info = running.get(wid)
        if info is not None:
            out.append((wid, info))
    return out


def recover(store):
    """Restarts runs this gateway owns in the database but is not running
    (after a crash or restart). Returns how many were resubmitted."""
    k = kernel.get()
    me = identity.executorId()
    maxAttempts = int(kernel.config("maxRecoveryAttempts"))
    left, recovered = False, 0
    # Every claim in progress here finishes (its run in "running") before
    # the owned rows are read; a claim after the read is not in them.
    gate = kernel.claimGate().writeLock()
    if not gate.tryLock(RECOVERY_GATE_WAIT_MS, TimeUnit.MILLISECONDS):
        return 0  # recoveryPending stays set: the next cycle tries again
    try:
        owned = runs.owned(store, me)
    finally:
        gate.unlock()
    for row in owned:
        wid = row.workflowId
        if k["running"].containsKey(wid):
            continue
        now = clock.nowMs()
        if row.recoveryAttempts >= maxAttempts:
            runs.deadLetter(store, wid, row.claimEpoch, deadLetterError(row), now)
            continue
        wfdef = registry.get(row.workflowName)
        if wfdef is None:
            if row.status in states.ADOPTED:
                # Stays here (HELD, or with its handler to resume) until its
                # workflow is registered again.
                left = True
            else:
                # Back to the queue for whichever gateway has the workflow;
                # the release counts as a recovery attempt.
                runs.release(store, wid, row.claimEpoch, now)
            continue
        if kernel.freeWorkers() <= 0:
            left = True
            break
        taken = runs.reclaim(store, wid, me, row.claimEpoch, now)
        if taken is not None:
            submit(store, taken, wfdef)
            recovered += 1
    kernel.flag("recoveryPending", store.dbName, left)
    return recovered


def deadLetterError(row):
    return codec.encode({"type": "MaxRecoveryAttemptsExceeded",
                         "message": "the run was recovered %d times without progress; it is "
                                    "parked as DEAD_LETTER for an operator to inspect"
                                    % row.recoveryAttempts})


# -- waits that hold no thread (docs/control.md "Waits that hold no thread") ----------------------
# Released runs woken per look at most (the rest at the next look).
WAKE_BATCH = 200
# Released child waits, and tag waits, checked per cycle at most.
CHILD_CHECKS = 500
TAG_CHECKS = 5000


def wakeReleased(store, checkConditions=True):
    """Wakes released runs that are due (an event, their wake-up time, or a
    condition the checks below found met): each is claimed with a new epoch
    (store/runs.claimWoken) and submitted with its history, bounded by this
    gateway's free workers like a claim. Also in drain mode: a released run
    is work in flight. Returns how many were woken.

    ``checkConditions`` False skips the child and tag checks: after an event
    (notify) only the run the event made due needs waking; the checks stay
    once per dispatch cycle (one tag read per cycle, not one per event)."""
    if not leases.isFresh(store.dbName, clock.nowMs()):
        return 0
    now = clock.nowMs()
    if checkConditions:
        _checkChildren(store, now)
        _checkTags(store, now)
    fit = []
    for wid, name, version in runs.dueWakes(store, now, WAKE_BATCH):
        wfdef = registry.get(name)
        if wfdef is not None and leases.versionMatches(version):
            fit.append((wid, wfdef))
    if not fit:
        return 0
    n = kernel.reserveWorkers(len(fit))
    if n <= 0:
        return 0
    woken = 0
    me = identity.executorId()
    gate = kernel.claimGate().readLock()
    gate.lock()
    try:
        for wid, wfdef in fit[:n]:
            row = runs.claimWoken(store, wid, me, clock.nowMs())
            if row is not None:
                submit(store, row, wfdef)
                woken += 1
    finally:
        gate.unlock()
        kernel.releaseWorkers(n)
    if woken:
        kernel.count("woken", woken)
    return woken


def _checkChildren(store, now):
    """Makes due the released parents whose awaited children have ended:
    one query for the waits, one for all their children."""
    waits = runs.releasedWaits(store, "CHILD", None, now, CHILD_CHECKS)
    if waits:
        runs.wakeNow(store, children.releasedChildrenDone(store, waits), now)


def _checkTags(store, now):
    """Makes due this gateway's released tag waits whose tag holds the value
    (or will never: sleeping.checkTags), after one read of all their tags."""
    waits = runs.releasedWaits(store, "TAG", identity.executorId(), now, TAG_CHECKS)
    if not waits:
        return
    kernel.count("tagChecks")
    for wid, detail in sleeping.checkTags(waits):
        runs.wakeNow(store, [wid], now, detail)


def notify(dbName, workflowId):
    """After an event for ``workflowId`` committed here (a command, an
    answer, a message): signals the run if it executes here, else asks a
    free worker to wake released runs now rather than at the next dispatch
    (the event made the run due in its own transaction)."""
    if kernel.signal(workflowId):
        return
    k = kernel.get()
    key = "\0released " + dbName
    if kernel.freeWorkers() <= 0 or k["wakePending"].putIfAbsent(key, True) is not None:
        return

    def task():
        kernel.get()["wakePending"].remove(key)
        try:
            wakeReleased(database.prepare(dbName), checkConditions=False)
        except ANY_ERROR as e:
            _logger().debugf("waking released runs on %s failed: %s (the next dispatch wakes "
                             "them)", dbName, describe(e))
    try:
        kernel.pool().execute(task)
    except ANY_ERROR:
        k["wakePending"].remove(key)


def claimOtherQueues(store, queueName, limit):
    """Serves the other queues that have waiting rows with what is left of
    this cycle's budget, so that one timer dispatching "default" also keeps
    every other queue moving (after a restart nothing else would wake them)."""
    claimed = 0
    if limit <= 0 or kernel.freeWorkers() <= 0 or maintenance.isDraining(store.dbName):
        return 0
    for other in runs.queuesWithWork(store):
        if other == queueName:
            continue
        claimed += claimAndSubmit(store, other, limit - claimed)
        if claimed >= limit or kernel.freeWorkers() <= 0:
            break
    return claimed


def claimAndSubmit(store, queueName, limit):
    """Claims up to ``limit`` rows (bounded by free workers) and starts them.

    Nothing is claimed while this gateway's lease is not fresh (before its
    first heartbeat, e.g. a start() right after the gateway started, which
    asks for a claim at once): a run claimed then, by a gateway that died
    before its lease row existed, would never be taken over by the others.
    The timer's next cycle renews the lease, then claims."""
    if maintenance.isDraining(store.dbName) or not leases.isFresh(store.dbName, clock.nowMs()):
        return 0
    n = kernel.reserveWorkers(limit)
    if n <= 0:
        return 0
    gate = kernel.claimGate().readLock()
    gate.lock()
    try:
        rows, more = claim(store, queueName, identity.executorId(), registry.names(),
                           kernel.config("applicationVersion"), n, clock.nowMs())
        for row in rows:
            wfdef = registry.get(row.workflowName)
            if wfdef is None:  # unregistered between the claim and now
                runs.release(store, row.workflowId, row.claimEpoch, clock.nowMs())
                continue
            submit(store, row, wfdef)
    finally:
        gate.unlock()
        kernel.releaseWorkers(n)
    # Cleared only when the queue was seen empty: a claim capped by a limit or
    # by our free workers leaves work for the next worker that finishes.
    kernel.flag("moreWork", queueName, more or len(rows) >= n)
    return len(rows)


def submit(store, row, wfdef):
    """Hands a claimed row to the worker pool."""
    wid = row.workflowId
    kernel.addRun(wid, store.dbName, row.queueName, row.claimEpoch, row.cmdSeq)

    def task():
        Thread.currentThread().setName("exchange.workflows-worker " + wid[:13])
        try:
            executor.execute(store, row, wfdef)
        finally:
            Thread.currentThread().setName("exchange.workflows-worker idle")
        conserve(store.dbName, row.queueName)
    try:
        kernel.pool().execute(task)
    except ANY_ERROR:
        kernel.dropRun(wid, row.claimEpoch)
        kernel.flag("recoveryPending", store.dbName)
        raise


def startHere(store, row, wfdef):
    """Starts a new run (a runs.INSERT_COLUMNS tuple) on a free worker of
    this gateway without queueing it: one INSERT of a RUNNING row, instead
    of an ENQUEUED row, a claim transaction and markRunning. Returns False,
    having written nothing, when the run must go through the queue: no free
    worker, rows already waiting in the queue (they go first), a partition
    key, a queue with concurrency limits, an active deduplication id, an
    application version this gateway does not run, maintenance, a lease
    not renewed lately (a run held here must be taken over if we die), or
    code older than the last project save (new runs belong to the new code)."""
    (wid, _name, _status, queueName, partitionKey, _priority, _dedup, version, inputs,
     timeoutMs, _by, now, _updated) = row
    if not kernel.isCurrentGeneration() or partitionKey is not None \
            or kernel.isFlagged("moreWork", queueName) \
            or maintenance.isDraining(store.dbName) or not leases.isFresh(store.dbName, now) \
            or not leases.versionMatches(version):
        return False
    _awaitOtherClaims(50)  # the timer's claim holds every free slot for a moment each second
    if kernel.reserveWorkers(1) != 1:
        return False
    gate = kernel.claimGate().readLock()
    gate.lock()
    try:
        deadline = now + int(timeoutMs) if timeoutMs else None
        if runs.insertRunning(store, row, identity.executorId(), 1, now, deadline) != 1:
            return False
        kernel.count("directStarts")
        submit(store, RunRow(wid, wfdef.name, states.RUNNING, queueName, inputs, 1, timeoutMs,
                             deadline, now, 0, 0, version, fresh=True), wfdef)
        return True
    finally:
        gate.unlock()
        kernel.releaseWorkers(1)


def conserve(dbName, queueName, force=False):
    """After a run ends, claim the next ones here instead of waiting for the timer.

    One thread at a time claims for a queue: the others only count a request
    and return, and that thread claims once more for all the requests that
    arrived during its claim, for every free worker. So workers finishing
    together make one claim transaction, not one each waiting on the queue's
    lock, and nothing asked for is forgotten.
    """
    if not kernel.isCurrentGeneration() or not (force or kernel.isFlagged("moreWork", queueName)):
        return
    requests = kernel.claimRequests(queueName)
    if requests.getAndIncrement() > 0:
        return
    served = 1
    try:
        store = database.prepare(dbName)
        while True:
            _awaitOtherClaims()
            claimAndSubmit(store, queueName, kernel.freeWorkers())
            served = requests.addAndGet(-served)
            if served <= 0:
                return
            if not kernel.isCurrentGeneration():  # saved meanwhile: new code claims from now on
                requests.set(0)
                return
    except ANY_ERROR as e:
        requests.set(0)  # the timer's next cycle claims what this one could not
        executor.logger().debugf("work-conserving claim on %s failed: %s", queueName, describe(e))


def _awaitOtherClaims(maxMs=1000):
    """Waits (up to ``maxMs``) while free workers are all reserved by another
    claim in progress, e.g. the timer's. That claim may have read the queue
    before the row we were asked for was committed: claiming nothing now
    would leave the row to the next tick."""
    # Polled every 0.2 ms, not slept in 5 ms steps: a start() that meets
    # the timer's claim (a few ms, once a second) waits for that claim only,
    # which is what start->RUNNING p99 with a free worker is made of.
    reserved = kernel.get()["reserved"]
    deadline = System.nanoTime() + maxMs * 1000000
    while kernel.freeWorkers() <= 0 and reserved.get() > 0 and System.nanoTime() < deadline:
        LockSupport.parkNanos(200000)


def wake(dbName, queueName):
    """Asks a free worker to claim now (after a local start()). The claim is
    forced: a concurrent claim that found the queue empty a moment before
    this run committed may have cleared the moreWork flag."""
    kernel.flag("moreWork", queueName)
    # One wake-up in flight per queue: a burst of start()s on a busy or
    # limited queue would otherwise queue one claim transaction each, most
    # of them finding nothing. The claim the pending one makes happens after
    # this start's INSERT, so it sees this row.
    # Slots reserved by a claim in progress count as free here: that claim
    # may have read the queue before this row was committed, and it would
    # then clear moreWork; this wake-up's claim waits for it and looks again.
    k = kernel.get()
    if kernel.freeWorkers() + k["reserved"].get() > 0 \
            and k["wakePending"].putIfAbsent(queueName, True) is None:
        def task():
            kernel.get()["wakePending"].remove(queueName)
            conserve(dbName, queueName, True)
        try:
            kernel.pool().execute(task)
        except ANY_ERROR:
            kernel.get()["wakePending"].remove(queueName)
            raise
