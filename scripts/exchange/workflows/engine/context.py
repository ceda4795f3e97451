"""The state of one executing run: its recorded history, the next operation
id, and its safe points (where HOLD, STOP, cancel, timeouts and a lost claim
take effect).

Every durable operation takes the next function id. While that id is below
the length of the recorded history the run is *replaying*: the operation
returns its recorded result without running. A mismatch of names at an id
means the code changed under a running workflow, and fails the run clearly.

Checking for commands costs no query on the normal path: a run looks at its
row only when the kernel's control board says something changed (a local
command bumps it at once; the dispatcher's periodic refresh bumps it for
commands sent from another gateway).

Interrupts are sticky. Workflow code may catch anything (a bare ``except:``
catches our BaseException interrupts; ``except java.lang.Throwable`` does
not, Jython never wraps a Python exception in a Java one), so raising once
is not enough. The first STOP, cancel, timeout or lost claim becomes the
context's ``pending`` interrupt, and every later safe point, operation,
record and ``rt.*`` call raises it again: a workflow that swallows it can
run no further step, and its return value is ignored. STOP and timeouts
also end the run in the database at the moment they are taken (STOP in the
same transaction that consumes the command), so the run's status is final
whatever the workflow does next, and a crash cannot lose a STOP.
"""
from exchange.workflows.core import clock, codec, logs, states
from exchange.workflows.engine import kernel
from exchange.workflows.core.errors import (ANY_ERROR, ClaimLost, DatabaseUnavailable,
                                              DeterminismError, WorkflowCancelled,
                                              WorkflowInterrupt, WorkflowStopped,
                                              WorkflowTimedOut, describe)
from exchange.workflows.engine.operations import Operations
from exchange.workflows.store import checkpoints, db, mailbox, runs
from exchange.workflows.store.records import Operation

SLICE_MS = 50
DB_RETRY_MS = 60000
# A workflow that keeps catching its pending interrupt in a loop gets it
# again at every call; past this many re-raises each one also sleeps a
# slice, so a ``while True: try/except: pass`` loop cannot burn a core.
RUNAWAY_RERAISES = 1000
TIMED_OUT = {"type": "WorkflowTimedOut", "message": "the workflow ran past its timeout"}

def logger():
    return logs.get("context")


def _rank(exc):
    """How final an interrupt is: a later one replaces a pending one only
    when it ranks higher (cancel overrides STOP; a lost claim, everything)."""
    if isinstance(exc, ClaimLost):
        return 3
    if isinstance(exc, WorkflowCancelled):
        return 2
    return 1


def retrying(fn):
    """Runs a database call, waiting out an outage for up to DB_RETRY_MS.

    Raises:
        ClaimLost: the database stayed unreachable; the run is left to recovery.
    """
    waited, pause = 0, 250
    while True:
        try:
            return fn()
        except DatabaseUnavailable:
            if waited >= DB_RETRY_MS:
                raise ClaimLost("database unavailable for %d s" % (waited // 1000))
            clock.sleepMs(pause)
            waited += pause
            pause = min(pause * 2, 5000)


def current():
    """Returns the RunContext of the calling thread, or None outside a workflow."""
    return kernel.get()["context"].get()


def pause(ms):
    """Sleeps ``ms`` and then passes a safe point, even inside a step.

    For steps that wait (tag waits, confirmations): HOLD parks them here,
    STOP/cancel/timeout raise here, and a pending interrupt raises again
    before the sleep (a step body that caught it cannot keep waiting).
    Returns the ms spent HELD, which a wait adds to its deadline so that
    the remaining wait resumes after RESUME. Outside a workflow it just sleeps.
    """
    ctx = current()
    if ctx is not None and ctx.pending is not None:
        ctx.raisePending()
    clock.sleepMs(ms)
    if ctx is None:
        return 0
    return ctx.safePoint(insideStep=True)


class RunContext(Operations):
    """One executing run; its rt.* calls are in operations.Operations."""
    SLICE_MS = SLICE_MS

    def __init__(self, store, row, history, executorId, board):
        self.store = store
        self.dbName = store.dbName
        self.workflowId = row.workflowId
        self.workflowName = row.workflowName
        self.queueName = row.queueName
        self.epoch = row.claimEpoch
        self.deadlineMs = row.deadlineMs
        self.executorId = executorId
        self.history = history
        self.nextId = 0
        self.inStep = False
        self.selfCommanded = False
        self.stopReceived = False
        self.visible = states.HELD if row.status == states.HELD else states.RUNNING
        # True from a HOLD taken until its RESUME: a park that raised (and
        # was swallowed) parks again at the next safe point.
        self.mustPark = row.status == states.HELD
        self.recovered = bool(row.recoveryAttempts)
        self.board = board
        # Values of the run's secret inputs, masked in errors it records
        # (set by the registry's wrapper; see engine/masking.py).
        self.secretValues = ()
        # -1 forces one look at the mailbox when commands were sent before we started.
        self.seen = -1 if row.cmdSeq else board.get()
        self.mailSeen = -1
        # The sticky interrupt (see the module docstring) and how often it was re-raised.
        self.pending = None
        self.reraised = 0
        self.controlFailures = 0
        # Read once per run: a limit changed meanwhile applies to later runs.
        self.maxOutputBytes = int(kernel.config("maxOutputBytes"))
        self.maxValueBytes = int(kernel.config("maxValueBytes"))
        self.maxDepth = int(kernel.config("maxJsonDepth"))

    # -- sticky interrupts ----------------------------------------------
    def interrupt(self, exc):
        """Makes ``exc`` pending unless a more final interrupt already is;
        returns the pending one, for the caller to raise."""
        if self.pending is None or _rank(exc) > _rank(self.pending):
            self.pending = exc
        return self.pending

    def raisePending(self):
        """Raises the pending interrupt again (a fresh instance of it)."""
        self.reraised += 1
        if self.reraised >= RUNAWAY_RERAISES:
            if self.reraised == RUNAWAY_RERAISES:
                logger().warnf("run %s (%s) caught its %s %d times; the workflow code catches "
                               "everything in a loop: each further call now waits %d ms",
                               self.workflowId, self.workflowName,
                               self.pending.__class__.__name__, RUNAWAY_RERAISES, SLICE_MS)
            clock.sleepMs(SLICE_MS)
        raise self.pending.__class__(self.pending.reason)

    def retrying(self, fn):
        """retrying() whose ClaimLost (database away too long) is sticky."""
        try:
            return retrying(fn)
        except ClaimLost as e:
            raise self.interrupt(e)

    # -- history -------------------------------------------------------
    def replaying(self):
        return self.nextId < len(self.history)

    def begin(self, name):
        """Takes the next operation id; returns (functionId, recorded or None).

        Raises the pending interrupt: no operation starts after one.
        """
        if self.pending is not None:
            self.raisePending()
        fid = self.nextId
        self.nextId += 1
        if fid < len(self.history):
            rec = self.history[fid]
            if rec.functionName != name:
                raise DeterminismError(
                    "Workflow %s (%s) recorded operation #%d as %r but the code now calls %r; "
                    "the workflow code changed under a running workflow. Cancel the run, or "
                    "restore the code it started with." % (
                        self.workflowName, self.workflowId, fid, rec.functionName, name))
            return fid, rec
        return fid, None

    def record(self, fid, name, output=None, error=None, attempts=1, startedMs=None, tx=None):
        """Writes one operation's result (one INSERT, guarded by the claim).

        Refuses (raises the pending interrupt) once the run was interrupted:
        the database guard covers a cancel, but a run being stopped or timed
        out may still be ours to write for a moment.
        """
        if self.pending is not None:
            self.raisePending()
        now = clock.nowMs()

        def write():
            return checkpoints.record(self.store, self.workflowId, self.epoch, Operation(
                fid, name, output, error, attempts, startedMs or now, now), tx)
        try:
            n = write() if tx is not None else self.retrying(write)
        except db.UniqueViolation:
            if tx is not None:
                raise
            self.confirmOwnWrite(fid, name)
            n = 1
        if n != 1:
            self.lost()
        if self.recovered and tx is None:
            # Progress after a recovery: the crash counter starts over.
            self.recovered = False
            self.retrying(lambda: runs.resetRecoveryAttempts(self.store, self.workflowId,
                                                             self.epoch))

    def confirmOwnWrite(self, fid, name):
        """A write at ``fid`` already exists. After a lost commit answer that
        is our own earlier attempt: fine while we still hold the claim."""
        rec = self.retrying(lambda: checkpoints.at(self.store, self.workflowId, fid))
        self.checkRow()
        if rec is None or rec.functionName != name:
            raise self.interrupt(ClaimLost("operation #%d was recorded by someone else" % fid))
        return rec

    def lost(self):
        """The run's row refused a write: find out why and stop accordingly."""
        row = self.retrying(lambda: runs.control(self.store, [self.workflowId])).get(
            self.workflowId)
        if row is None:
            raise self.interrupt(ClaimLost("run row vanished"))
        status, epoch, _ = row
        if epoch != self.epoch:
            raise self.interrupt(ClaimLost("claimed by another gateway (epoch %d, ours %d)"
                                           % (epoch, self.epoch)))
        if status == states.CANCELLED:
            raise self.interrupt(WorkflowCancelled("cancelled"))
        if status == states.STOPPED:
            raise self.interrupt(WorkflowStopped("stopped"))
        raise self.interrupt(ClaimLost("run is %s" % status))

    # -- safe points ------------------------------------------------------
    def safePoint(self, insideStep=False):
        """Applies pending control at a safe point; returns ms spent HELD.

        A pending interrupt raises here always, inside a step or not. Only
        interrupts leave a safe point: any other error (the database
        refusing a mailbox read, a park that failed) is logged and the
        control looked at again at the next safe point -- a HOLD taken
        still parks there. An ordinary exception here could be caught by
        the workflow and send it down a path its replay would not take.
        """
        if self.pending is not None:
            self.raisePending()
        if (self.inStep and not insideStep) or self.replaying():
            return 0
        try:
            return self.applyControl()
        except WorkflowInterrupt:
            raise
        except ANY_ERROR as e:
            self.seen = -1
            self.controlFailures += 1
            log = logger().warnf if self.controlFailures == 1 else logger().debugf
            log("run %s (%s): commands could not be applied at a safe point (%s); trying again "
                "at the next one", self.workflowId, self.workflowName, describe(e))
            return 0

    def applyControl(self):
        if self.deadlineMs and clock.nowMs() > self.deadlineMs:
            self.timedOut()
        parked = 0
        if self.mustPark and not self.selfCommanded:
            parked += self.park()
        v = self.board.get()
        if v != self.seen:
            self.seen = v
            parked += self.control()
        return parked

    def timedOut(self):
        """Ends the run ERROR (timed out) in the database, then raises."""
        n = self.retrying(lambda: runs.finish(
            self.store, self.workflowId, self.epoch, states.ERROR, None,
            codec.encode(TIMED_OUT), clock.nowMs()))
        if n != 1:
            self.lost()
        raise self.interrupt(WorkflowTimedOut("timed out"))

    def control(self):
        self.checkRow()
        if self.selfCommanded:
            return 0
        parked = 0
        while True:
            acted = False
            for msg in self.retrying(lambda: mailbox.pending(
                    self.store, self.workflowId, states.COMMAND_TOPIC)):
                cmd = codec.decode(msg["payload"]).get("cmd")
                if cmd == "HOLD":
                    if self.consume(msg, states.HELD):
                        self.mustPark = True
                        parked += self.park()
                        acted = True
                        break
                elif cmd == "RESUME":
                    self.consume(msg, None)
                elif cmd == "STOP":
                    self.takeStop(msg)
            if not acted:
                return parked

    def checkRow(self):
        row = self.retrying(lambda: runs.control(self.store, [self.workflowId])).get(
            self.workflowId)
        if row is None or row[1] != self.epoch:
            raise self.interrupt(ClaimLost("claimed by another gateway"))
        if row[0] == states.CANCELLED:
            raise self.interrupt(WorkflowCancelled("cancelled"))
        if row[0] in states.FINISHED:
            raise self.interrupt(ClaimLost("run is %s" % row[0]))

    def consume(self, msg, toStatus):
        """Takes one command from the mailbox, setting the visible status with it."""
        now = clock.nowMs()

        def take():
            with self.store.transaction() as tx:
                if mailbox.consume(self.store, self.workflowId, msg["seq"], "engine",
                                   now, tx) != 1:
                    return False
                if toStatus is not None and toStatus != self.visible:
                    runs.setVisibleState(self.store, self.workflowId, self.epoch,
                                         toStatus, now, tx)
                return True
        taken = self.retrying(take)
        if taken and toStatus is not None:
            self.visible = toStatus
        return taken

    def takeStop(self, msg):
        """Takes a STOP command and ends the run STOPPED in the same
        transaction, then raises. Returns only if someone else took it."""
        reason = msg.get("reason") or "STOP command"
        error = codec.encode({"type": "Stopped", "message": reason})
        now = clock.nowMs()

        def take():
            with self.store.transaction() as tx:
                if mailbox.consume(self.store, self.workflowId, msg["seq"], "engine",
                                   now, tx) != 1:
                    return None
                return runs.finish(self.store, self.workflowId, self.epoch,
                                   states.STOPPED, None, error, now, tx)
        n = self.retrying(take)
        if n is None:
            # Already consumed: by our own attempt whose commit answer was
            # lost if the row says STOPPED; otherwise it is not ours to act on.
            row = self.retrying(lambda: runs.control(
                self.store, [self.workflowId])).get(self.workflowId)
            if row is None or row[1] != self.epoch or row[0] != states.STOPPED:
                return
        elif n != 1:
            self.lost()
        raise self.interrupt(WorkflowStopped(reason))

    def park(self):
        """Waits HELD until RESUME; STOP, cancel and timeouts still apply."""
        started = clock.nowMs()
        self.seen = -1
        while True:
            if self.deadlineMs and clock.nowMs() > self.deadlineMs:
                self.timedOut()
            v = self.board.get()
            if v != self.seen:
                self.seen = v
                self.checkRow()
                for msg in self.retrying(lambda: mailbox.pending(
                        self.store, self.workflowId, states.COMMAND_TOPIC)):
                    cmd = codec.decode(msg["payload"]).get("cmd")
                    if cmd == "RESUME":
                        if self.consume(msg, states.RUNNING):
                            self.mustPark = False
                            return clock.nowMs() - started
                    elif cmd == "STOP":
                        self.takeStop(msg)
                    elif cmd == "HOLD":
                        self.consume(msg, None)
                if self.visible != states.HELD:
                    self.setVisible(states.HELD)
            clock.sleepMs(SLICE_MS)

    def setVisible(self, status):
        n = self.retrying(lambda: runs.setVisibleState(
            self.store, self.workflowId, self.epoch, status, clock.nowMs()))
        if n != 1:
            self.lost()
        self.visible = status

    def sleep(self, totalMs, sliceMs=SLICE_MS):
        """Sleeps ``totalMs`` of running time: time spent HELD does not count."""
        wakeAt = clock.nowMs() + totalMs
        return self.sleepUntil(wakeAt, sliceMs)

    def sleepUntil(self, wakeAt, sliceMs=SLICE_MS):
        if self.pending is not None:
            self.raisePending()
        sliceMs = max(1, min(int(sliceMs), SLICE_MS * 4))
        while True:
            remaining = wakeAt - clock.nowMs()
            if remaining <= 0:
                return
            clock.sleepMs(min(sliceMs, remaining))
            wakeAt += self.safePoint()
