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
"""
from exchange.workflows.engine import clock, codec, kernel, states
from exchange.workflows.engine.errors import (ClaimLost, DatabaseUnavailable,
                                              DeterminismError, WorkflowCancelled,
                                              WorkflowStopped, WorkflowTimedOut)
from exchange.workflows.store import checkpoints, db, events, mailbox, runs

SLICE_MS = 50
DB_RETRY_MS = 60000


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
    STOP/cancel/timeout raise here. Returns the ms spent HELD, which a wait
    adds to its deadline so that the remaining wait resumes after RESUME.
    Outside a workflow it just sleeps.
    """
    clock.sleepMs(ms)
    ctx = current()
    if ctx is None:
        return 0
    return ctx.safePoint(insideStep=True)


class RunContext(object):
    def __init__(self, dbName, dialect, row, history, executorId, board):
        self.dbName = dbName
        self.d = dialect
        self.workflowId = row["workflowId"]
        self.workflowName = row["workflowName"]
        self.queueName = row["queueName"]
        self.epoch = row["claimEpoch"]
        self.deadlineMs = row.get("deadlineMs")
        self.executorId = executorId
        self.history = history
        self.nextId = 0
        self.inStep = False
        self.selfCommanded = False
        self.stopReceived = False
        self.visible = states.HELD if row["status"] == states.HELD else states.RUNNING
        self.mustPark = row["status"] == states.HELD
        self.recovered = bool(row.get("recoveryAttempts"))
        self.board = board
        # -1 forces one look at the mailbox when commands were sent before we started.
        self.seen = -1 if row.get("cmdSeq") else board.get()
        self.mailSeen = -1

    # -- history -------------------------------------------------------
    def replaying(self):
        return self.nextId < len(self.history)

    def begin(self, name):
        """Takes the next operation id; returns (functionId, recorded or None)."""
        fid = self.nextId
        self.nextId += 1
        if fid < len(self.history):
            rec = self.history[fid]
            if rec["functionName"] != name:
                raise DeterminismError(
                    "Workflow %s (%s) recorded operation #%d as %r but the code now calls %r; "
                    "the workflow code changed under a running workflow. Cancel the run, or "
                    "restore the code it started with." % (
                        self.workflowName, self.workflowId, fid, rec["functionName"], name))
            return fid, rec
        return fid, None

    def record(self, fid, name, output=None, error=None, attempts=1, startedMs=None, tx=None):
        """Writes one operation's result (one INSERT, guarded by the claim)."""
        now = clock.nowMs()

        def write():
            return checkpoints.record(self.dbName, self.d, self.workflowId, self.epoch, fid, name,
                                      output, error, attempts, startedMs or now, now, tx)
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
            self.retrying(lambda: db.update(self.dbName, self.d.sql(
                "UPDATE {status} SET recovery_attempts = 0 WHERE workflow_id = ? "
                "AND claim_epoch = ?"), [self.workflowId, self.epoch]))

    retrying = staticmethod(retrying)

    def confirmOwnWrite(self, fid, name):
        """A write at ``fid`` already exists. After a lost commit answer that
        is our own earlier attempt: fine while we still hold the claim."""
        rec = self.retrying(lambda: checkpoints.at(self.dbName, self.d, self.workflowId, fid))
        self.checkRow()
        if rec is None or rec["functionName"] != name:
            raise ClaimLost("operation #%d was recorded by someone else" % fid)
        return rec

    def lost(self):
        """The run's row refused a write: find out why and stop accordingly."""
        row = self.retrying(lambda: runs.control(self.dbName, self.d, [self.workflowId])).get(
            self.workflowId)
        if row is None:
            raise ClaimLost("run row vanished")
        status, epoch, _ = row
        if epoch != self.epoch:
            raise ClaimLost("claimed by another gateway (epoch %d, ours %d)" % (epoch, self.epoch))
        if status == states.CANCELLED:
            raise WorkflowCancelled("cancelled")
        if status == states.STOPPED:
            raise WorkflowStopped("stopped")
        raise ClaimLost("run is %s" % status)

    # -- safe points ------------------------------------------------------
    def safePoint(self, insideStep=False):
        """Applies pending control at a safe point; returns ms spent HELD."""
        if (self.inStep and not insideStep) or self.replaying():
            return 0
        if self.deadlineMs and clock.nowMs() > self.deadlineMs:
            raise WorkflowTimedOut("timed out")
        parked = 0
        if self.mustPark and not self.selfCommanded:
            self.mustPark = False
            parked += self.park()
        v = self.board.get()
        if v != self.seen:
            self.seen = v
            parked += self.control()
        return parked

    def control(self):
        self.checkRow()
        if self.selfCommanded:
            return 0
        parked = 0
        while True:
            acted = False
            for msg in self.retrying(lambda: mailbox.pending(
                    self.dbName, self.d, self.workflowId, states.COMMAND_TOPIC)):
                cmd = codec.decode(msg["payload"]).get("cmd")
                if cmd == "HOLD":
                    if self.consume(msg, states.HELD):
                        parked += self.park()
                        acted = True
                        break
                elif cmd == "RESUME":
                    self.consume(msg, None)
                elif cmd == "STOP":
                    if self.consume(msg, None):
                        raise WorkflowStopped(msg.get("reason") or "STOP command")
            if not acted:
                return parked

    def checkRow(self):
        row = self.retrying(lambda: runs.control(self.dbName, self.d, [self.workflowId])).get(
            self.workflowId)
        if row is None or row[1] != self.epoch:
            raise ClaimLost("claimed by another gateway")
        if row[0] == states.CANCELLED:
            raise WorkflowCancelled("cancelled")
        if row[0] in states.FINISHED:
            raise ClaimLost("run is %s" % row[0])

    def consume(self, msg, toStatus):
        """Takes one command from the mailbox, setting the visible status with it."""
        now = clock.nowMs()

        def take():
            with db.Transaction(self.dbName, self.d) as tx:
                if mailbox.consume(self.dbName, self.d, self.workflowId, msg["seq"], "engine",
                                   now, tx) != 1:
                    return False
                if toStatus is not None and toStatus != self.visible:
                    runs.setVisibleState(self.dbName, self.d, self.workflowId, self.epoch,
                                         toStatus, now, tx)
                return True
        taken = self.retrying(take)
        if taken and toStatus is not None:
            self.visible = toStatus
        return taken

    def park(self):
        """Waits HELD until RESUME; STOP, cancel and timeouts still apply."""
        started = clock.nowMs()
        self.seen = -1
        while True:
            if self.deadlineMs and clock.nowMs() > self.deadlineMs:
                raise WorkflowTimedOut("timed out while held")
            v = self.board.get()
            if v != self.seen:
                self.seen = v
                self.checkRow()
                for msg in self.retrying(lambda: mailbox.pending(
                        self.dbName, self.d, self.workflowId, states.COMMAND_TOPIC)):
                    cmd = codec.decode(msg["payload"]).get("cmd")
                    if cmd == "RESUME":
                        if self.consume(msg, states.RUNNING):
                            return clock.nowMs() - started
                    elif cmd == "STOP":
                        if self.consume(msg, None):
                            raise WorkflowStopped(msg.get("reason") or "STOP command")
                    elif cmd == "HOLD":
                        self.consume(msg, None)
                if self.visible != states.HELD:
                    self.setVisible(states.HELD)
            clock.sleepMs(SLICE_MS)

    def setVisible(self, status):
        n = self.retrying(lambda: runs.setVisibleState(
            self.dbName, self.d, self.workflowId, self.epoch, status, clock.nowMs()))
        if n != 1:
            self.lost()
        self.visible = status

    def sleep(self, totalMs, sliceMs=SLICE_MS):
        """Sleeps ``totalMs`` of running time: time spent HELD does not count."""
        wakeAt = clock.nowMs() + totalMs
        return self.sleepUntil(wakeAt, sliceMs)

    def sleepUntil(self, wakeAt, sliceMs=SLICE_MS):
        sliceMs = max(1, min(int(sliceMs), SLICE_MS * 4))
        while True:
            remaining = wakeAt - clock.nowMs()
            if remaining <= 0:
                return
            clock.sleepMs(min(sliceMs, remaining))
            wakeAt += self.safePoint()

    # -- runtime calls ------------------------------------------------------
    def progress(self, message, extra=None):
        if self.replaying():
            return
        payload = codec.encode({"message": message, "extra": extra, "tsMs": clock.nowMs()})
        n = self.retrying(lambda: runs.setProgress(self.dbName, self.d, self.workflowId,
                                                   self.epoch, payload, clock.nowMs()))
        if n != 1:
            self.lost()

    def setEvent(self, key, value):
        self.sideWrite("rt.setEvent", lambda fid, tx, now: events.setEvent(
            self.dbName, self.d, self.workflowId, key, codec.encode(value), now, tx))

    def writeStream(self, key, value):
        self.sideWrite("rt.writeStream", lambda fid, tx, now: events.writeStream(
            self.dbName, self.d, self.workflowId, key, fid, codec.encode(value), now, tx))

    def sideWrite(self, name, write):
        """An operation whose effect is a row elsewhere, recorded with it atomically."""
        if self.inStep:
            raise DeterminismError("%s cannot be called inside a step" % name)
        fid, rec = self.begin(name)
        if rec is not None:
            return
        now = clock.nowMs()

        def both():
            with db.Transaction(self.dbName, self.d) as tx:
                write(fid, tx, now)
                self.record(fid, name, tx=tx)
        try:
            self.retrying(both)
        except db.UniqueViolation:
            self.confirmOwnWrite(fid, name)

    def recvCommand(self, currentState=None, topic=states.COMMAND_TOPIC, timeoutSeconds=0):
        """Returns the oldest unconsumed command of ``topic`` (a dict), or None.

        A received command is recorded with the receive, atomically, so a
        replay returns the same command. An empty receive records nothing:
        on replay, an id whose record is not a receive means "got nothing".
        """
        name = "rt.recvCommand:" + topic
        if topic == states.COMMAND_TOPIC:
            self.selfCommanded = True
        if self.replaying():
            rec = self.history[self.nextId]
            if rec["functionName"] != name:
                return None
            self.nextId += 1
            return self._command(codec.decode(rec["output"]))
        self.safePoint()
        if currentState in (states.RUNNING, states.HELD) and currentState != self.visible:
            self.setVisible(currentState)
        deadline = clock.nowMs() + int(float(timeoutSeconds or 0) * 1000)
        while True:
            v = self.board.get()
            if v != self.mailSeen:
                msgs = self.retrying(lambda: mailbox.pending(
                    self.dbName, self.d, self.workflowId, topic, 1))
                if msgs:
                    cmd = self.take(name, msgs[0])
                    if cmd is not None:
                        return cmd
                    continue
                self.mailSeen = v
            remaining = deadline - clock.nowMs()
            if remaining <= 0:
                return None
            clock.sleepMs(min(SLICE_MS, remaining))
            self.safePoint()

    def take(self, name, msg):
        payload = codec.decode(msg["payload"])
        payload["seq"] = msg["seq"]
        fid = self.nextId
        now = clock.nowMs()

        def both():
            with db.Transaction(self.dbName, self.d) as tx:
                if mailbox.consume(self.dbName, self.d, self.workflowId, msg["seq"], "workflow",
                                   now, tx) != 1:
                    return False
                self.record(fid, name, output=codec.encode(payload), tx=tx)
                return True
        try:
            taken = self.retrying(both)
        except db.UniqueViolation:
            taken = False
        if not taken:
            # Someone consumed it: perhaps our own attempt whose commit answer was lost.
            rec = self.retrying(lambda: checkpoints.at(self.dbName, self.d, self.workflowId, fid))
            if rec is None or rec["functionName"] != name:
                return None
            self.checkRow()
            payload = codec.decode(rec["output"])
        self.nextId += 1
        return self._command(payload)

    def _command(self, payload):
        if payload and payload.get("cmd") == "STOP":
            self.stopReceived = True
        return payload
