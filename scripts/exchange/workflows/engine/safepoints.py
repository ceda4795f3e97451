"""Safe points: where operator commands, cancels, timeouts and a lost claim
take effect on an executing run (the engine's side of the command protocol).

Checking for commands costs no query on the normal path: a run looks at its
row only when the kernel's control board says something changed (a local
command bumps it at once; the dispatcher's periodic refresh bumps it for
commands sent from another gateway).

Commands are taken from the mailbox oldest first, by one path
(``takeCommands``) whether the run is RUNNING or parked HELD; what each
command does is control.decide's answer for the run's status and the
handlers its workflow declares: HOLD -> HOLDING (onHold) -> HELD (the run
parks where it is), RESUME (or RESTART) -> RESTARTING (onResume) ->
RUNNING, STOP -> STOPPING (onStop) -> STOPPED, ABORT -> ABORTING (onAbort)
-> ABORTED; a transition whose handler is not declared goes straight to the
status after it. The handlers run here, on the run's thread
(transitions.py). A command the table defers waits, with every later one,
until the handler has ended. RESET and anything the engine does not act on
stay for rt.recvCommand(). A run that receives its own commands
(``selfCommanded``) is left every command but ABORT, which the engine
always applies.

Time spent HELD is not running time: no deadline passes while a run is
HELD, and the RESUME pushes the deadline back by the time held, in the
transaction that takes it (runs.setVisibleState keeps the account; a
workflow declared with ``timeoutIncludesHeld=True`` keeps its deadline).

STOP, ABORT and timeouts are written to the database at the moment they
are taken: without a handler they end the run there (STOP and ABORT in the
same transaction that consumes the command: ``takeEnding``); with one, that
transaction opens STOPPING or ABORTING, and the handler's end writes the
final status. Either way the run's status is decided whatever the workflow
does next, and a crash cannot lose them. Then they become the run's sticky
interrupt (interrupts.py).

Waits at safe points (parked HELD, the durable sleep, and through
``mayRelease``/``release`` rt.ask, rt.recv, the child waits and body-level
tag waits) give their worker thread back after the kernel's
``releaseAfterMs``: docs/control.md "Waits that hold no thread".

Mixed into context.RunContext.
"""
from exchange.workflows.core import clock, codec, logs, states
from exchange.workflows.core.errors import (ANY_ERROR, InvalidArguments, WorkflowInterrupt,
                                              WorkflowTimedOut, describe)
from exchange.workflows.engine import control, kernel
from exchange.workflows.engine.transitions import ENDINGS
from exchange.workflows.store import mailbox, runs

# The longest a waiting run (parked, sleeping, receiving) goes between two looks.
SLICE_MS = 50
# Mailbox rows read per query at a safe point (takeCommands reads on, page
# after page, while a page comes back full).
MAILBOX_PAGE = 20
TIMED_OUT = {"type": "WorkflowTimedOut", "message": "the workflow ran past its timeout"}
# What the engine leaves in the mailbox.
_LEAVE = control.Decision(control.KEEP_FOR_WORKFLOW, None, None)
# Statuses in which the deadline's clock stands still (unless the workflow
# counts held time): the span from HOLDING to the end of RESTARTING.
_HELD_CLOCK = (states.HOLDING, states.HELD, states.RESTARTING)
# No deadline applies to a run that is already ending (docs/control.md).
_ENDING = (states.STOPPING, states.ABORTING)


def logger():
    return logs.get("context")


class Released(WorkflowInterrupt):
    """The run gave its worker thread back while it waits (docs/control.md
    "Waits that hold no thread"): its row says all (executor_id NULL, what
    it waits for, when to wake it), so the executor writes nothing, and the
    dispatcher wakes it (a claim and a replay up to the wait) once its
    condition is met. Taken only outside steps and handlers, and only when
    no other interrupt is pending."""


def releaseAfterMs():
    """How long a wait holds its thread before it releases it (kernel config
    ``releaseAfterMs``; below 0: never)."""
    return int(kernel.config("releaseAfterMs"))


# Whether the woken run's wait detail has been read (RunContext.wokenUntil).
UNREAD = object()


def decide(status, cmd, selfCommanded=False, beforeFirstOperation=False, declared=()):
    """What a run in ``status`` (RUNNING or HELD) does with ``cmd`` (any
    case) when it takes it; ``selfCommanded``: the workflow receives its
    own commands, so only ABORT is the engine's. An unknown command is left
    for the workflow."""
    try:
        return control.decide(status, cmd, selfCommanded=selfCommanded,
                              beforeFirstOperation=beforeFirstOperation, declared=declared)
    except InvalidArguments:
        return _LEAVE


class SafePoints(object):
    """safePoint() and the command protocol of a RunContext."""

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
            if self.handling is not None:
                return self.handlerControl()
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
        if self.pastDeadline():
            self.timedOut()
        parked = 0
        if self.mustPark and not self.selfCommanded:
            parked += self.park()
        v = self.board.get()
        if v != self.seen:
            self.seen = v
            parked += self.control()
        return parked

    def pastDeadline(self):
        """True once the run's deadline has passed. Time held is not running
        time (docs/control.md "Deadlines and held time"): while the run is
        HELD no deadline passes, and the RESUME pushes the deadline back by
        the time held -- unless the workflow counts held time too
        (``timeoutIncludesHeld``), which leaves the deadline where it was."""
        if not self.deadlineMs or self.visible in _ENDING or (
                self.visible in _HELD_CLOCK and not self.timeoutIncludesHeld):
            return False
        return clock.nowMs() > self.deadlineMs

    def timedOut(self):
        """Ends the run ERROR (timed out) in the database, then raises:
        after onAbort when the workflow declares one (abortOnError)."""
        t = self.beginFromFailure(control.CAUSE_TIMEOUT, TIMED_OUT)
        if t is not None:
            self.runTransition(t)
            raise self.interrupt(WorkflowTimedOut("timed out"))
        n = self.retrying(lambda: runs.finish(
            self.store, self.workflowId, self.epoch, states.ERROR, None,
            codec.encode(TIMED_OUT), clock.nowMs()))
        if n != 1:
            self.lost()
        raise self.interrupt(WorkflowTimedOut("timed out"))

    def control(self):
        """Looks at the row and takes the commands of a RUNNING run; a HOLD
        parks it here, and the mailbox is looked at again after RESUME. A
        run that receives its own commands has only ABORT taken here."""
        self.checkRow()
        if self.selfCommanded:
            self.takeCommands(states.RUNNING)
            return 0
        parked = 0
        while self.takeCommands(states.RUNNING) == states.HELD:
            self.mustPark = True
            parked += self.park()
        return parked

    def park(self):
        """Waits HELD until RESUME; STOP and cancel still apply, and the
        timeout only with ``timeoutIncludesHeld`` (pastDeadline). Returns
        the ms held: from the row's open held span when the run came back
        HELD (woken or recovered), so a wait around the park moves its
        deadline by the whole time held. Past releaseAfterMs the run
        releases its thread (kind HOLD) until a command arrives."""
        started = waitingSince = clock.nowMs()
        if self.heldFromRow:
            self.heldFromRow = False
            since = self.retrying(lambda: runs.heldAccount(self.store, self.workflowId))[1]
            if since is not None:
                started = min(started, since)
        self.seen = -1
        while True:
            if self.pastDeadline():
                self.timedOut()
            v = self.board.get()
            if v != self.seen:
                self.seen = v
                self.checkRow()
                if self.takeCommands(states.HELD) == states.RUNNING:
                    self.mustPark = False
                    return clock.nowMs() - started
                if self.visible != states.HELD:
                    self.setVisible(states.HELD)
            elif self.visible == states.HELD and self.mayRelease(waitingSince):
                if not self.release("HOLD", states.HELD):
                    waitingSince = clock.nowMs()
            clock.sleepMs(SLICE_MS)

    # -- waits that hold no thread (docs/control.md "Waits that hold no thread")
    def mayRelease(self, since, waitStep=False):
        """True when a wait that began on this thread at ``since`` may give
        the thread back now: past releaseAfterMs, outside steps (``waitStep``:
        inside the outermost step, a wait that wrote nothing, which runs
        again from its top when woken), handlers and replay, with no
        interrupt pending."""
        limit = releaseAfterMs()
        return (limit >= 0 and self.pending is None and self.handling is None
                and (self.inStep == waitStep) and not (waitStep and self.stepWrites)
                and not self.replaying() and clock.nowMs() - since >= limit)

    def release(self, kind, status, wakeMs=None, stillWaiting=None, detail=None, checker=None):
        """Releases the run's worker thread while it waits (``kind``, one of
        runs.WAIT_KINDS) in ``status``, to be woken at ``wakeMs`` (None:
        only by an event), or by the run's deadline when that is earlier
        and its clock runs. Raises Released; returns False when the run
        must go on waiting here: its row changed, a command waits for the
        engine, ``stillWaiting()`` says the condition is met, or an event
        arrived between the look and the release (the UPDATE is guarded by
        the cmd_seq read first, which every waking event bumps).

        ``detail`` (a dict) joins ``waitNote`` (the enclosing wait's
        operation id and deadline, wokenUntil) in the row's wait detail."""
        row = self._row()
        if row is None or row.claimEpoch != self.epoch or row.status != status \
                or status != self.visible or self.commandWaiting(status) \
                or (stillWaiting is not None and not stillWaiting()):
            self.seen = -1  # the next safe point looks at the row and the mailbox
            return False
        if self.deadlineMs and (status != states.HELD or self.timeoutIncludesHeld):
            wakeMs = self.deadlineMs if wakeMs is None else min(wakeMs, self.deadlineMs)
        note = dict(self.waitNote or {})
        note.update(detail or {})
        wait = runs.Wait(kind, wakeMs, codec.encode(note) if note else None, checker)
        if self.retrying(lambda: runs.releaseWorker(self.store, self.workflowId, self.epoch,
                                                    row.cmdSeq, status, wait,
                                                    clock.nowMs())) != 1:
            self.seen = -1
            return False
        kernel.count("released")
        raise self.interrupt(Released(kind))

    def commandWaiting(self, status):
        """True when the mailbox holds a command the engine would act on for
        a run in ``status`` (a released run would not see it until an event)."""
        afterSeq = -1
        while True:
            page = self.retrying(lambda after=afterSeq: mailbox.pending(
                self.store, self.workflowId, states.COMMAND_TOPIC, MAILBOX_PAGE, after))
            for msg in page:
                if self.decideCommand(status, msg).action in (
                        control.TRANSITION, control.IGNORE, control.DEFER):
                    return True
            if len(page) < MAILBOX_PAGE:
                return False
            afterSeq = page[-1]["seq"]

    def wokenUntil(self, fid):
        """The deadline (epoch ms) the wait at operation ``fid`` had when it
        released its thread, or None: a woken wait keeps its deadline
        instead of starting its timeout again."""
        return (self.wokenDetail(fid) or {}).get("untilMs")

    def wokenDetail(self, fid):
        """The detail (a dict) the wait at operation ``fid`` left in the row
        when it released its thread (or, a tag wait, when it began), or None."""
        if not self.mayHaveWaited:
            return None
        if self.wokenNote is UNREAD:
            text = self.retrying(lambda: runs.waitDetail(self.store, self.workflowId))
            self.wokenNote = codec.decode(text) if text else {}
        note = self.wokenNote if isinstance(self.wokenNote, dict) else {}
        if note.get("fid") != fid:
            return None
        # Once: an empty receive records nothing, so the next wait may take
        # the same operation id, with a timeout of its own.
        self.wokenNote = {}
        return note

    def takeCommands(self, status):
        """Takes the mailbox's commands, oldest first, as ``decide`` says
        for a run in ``status``, until one changes the status or one must
        wait (DEFER). Returns the status the run is in after it (HELD,
        RUNNING: a handler has run in between), or None when none changed
        it. A STOP or ABORT ends the run (after its handler) and raises.

        The mailbox is read page by page to its end: commands left for the
        workflow (RESET, anything a run that never calls rt.recvCommand
        keeps unread) must not hide an operator's STOP or ABORT behind them."""
        afterSeq = -1
        while True:
            page = self.retrying(lambda after=afterSeq: mailbox.pending(
                self.store, self.workflowId, states.COMMAND_TOPIC, MAILBOX_PAGE, after))
            for msg in page:
                decision = self.decideCommand(status, msg)
                if decision.action == control.IGNORE:
                    self.consume(msg, None)
                elif decision.action == control.DEFER:
                    return None
                elif decision.action != control.TRANSITION:
                    continue
                else:
                    reached = self.transit(msg, status, decision)
                    if reached is not None:
                        return reached
            if len(page) < MAILBOX_PAGE:
                return None
            afterSeq = page[-1]["seq"]

    def decideCommand(self, status, msg):
        """control.decide for the mailbox row ``msg`` and this run."""
        return decide(status, (codec.decode(msg["payload"]) or {}).get("cmd"),
                      self.selfCommanded, self.beforeFirstOperation(), self.declared())

    def transit(self, msg, status, decision):
        """Takes the command ``msg`` that moves the run from ``status``:
        straight to the status after it without a handler, else through the
        handler (transitions.py). Returns the status reached (HELD or
        RUNNING), or None when the command was not ours to take; a run
        that ends raises its interrupt."""
        if decision.handler is None:
            if decision.toStatus in ENDINGS:
                self.takeEnding(msg, decision.toStatus)
                return None
            return decision.toStatus if self.consume(msg, decision.toStatus) else None
        t = self.beginFromCommand(msg, status, decision)
        if t is None:
            return None
        reached = self.runTransition(t)
        if reached in ENDINGS:
            raise self.interrupt(ENDINGS[reached][2](t.reason or ENDINGS[reached][1]))
        return reached

    def forEngine(self, msg):
        """For rt.recvCommand: True when ``msg`` (a mailbox row of topic
        ``cmd``) is a command the engine always applies itself (ABORT),
        which it then takes here (raising) unless someone else took it
        first. The workflow is never handed such a command."""
        payload = codec.decode(msg["payload"]) or {}
        decision = decide(states.RUNNING, payload.get("cmd"), True, False, self.declared())
        if decision.action != control.TRANSITION:
            return False
        self.transit(msg, states.RUNNING, decision)
        return True

    def consumeWith(self, msg, consumer, write):
        """Consumes ``msg`` from the mailbox and calls ``write(tx, now)`` in
        the same transaction (retried through an outage); returns what
        ``write`` returned (never None), or None when the message had been
        consumed already."""
        now = clock.nowMs()

        def both():
            with self.store.transaction() as tx:
                if mailbox.consume(self.store, self.workflowId, msg["seq"], consumer,
                                   now, tx) != 1:
                    return None
                return write(tx, now)
        return self.retrying(both)

    def consume(self, msg, toStatus):
        """Takes one command from the mailbox, setting the visible status
        (and the held-time account, runs.setVisibleState) with it."""
        changes = toStatus is not None and toStatus != self.visible
        fromStatus = self.visible

        def write(tx, now):
            if not changes:
                return True
            written = runs.setVisibleState(self.store, self.workflowId, self.epoch, toStatus,
                                           now, tx, self.timeoutIncludesHeld)
            if written.rows == 1:
                # getTransitions lists the change; getCommands' outcome.
                self.noteTaken(msg, fromStatus, toStatus, tx, now)
            return written
        written = self.consumeWith(msg, "engine", write)
        if written is None:
            if not changes:
                return False
            # Already consumed: by our own attempt whose commit answer was
            # lost if the row shows ``toStatus`` under our claim (then the
            # run must follow it, or it would stay parked while its row
            # says RUNNING); otherwise it is not ours to act on.
            row = self.retrying(lambda: runs.get(self.store, self.workflowId))
            if row is None or row["claimEpoch"] != self.epoch or row["status"] != toStatus:
                return False
            written = runs.Visible(1, row["deadlineMs"])
        if changes:
            self.followVisible(toStatus, written)
        return True

    def takeEnding(self, msg, status):
        """Takes a command that ends the run (STOP: STOPPED, ABORT: ABORTED)
        and ends it in the same transaction, then raises the matching
        interrupt. Returns only if someone else took the command."""
        errorType, defaultReason, interruptClass = ENDINGS[status]
        reason = msg.get("reason") or defaultReason
        error = codec.encode({"type": errorType, "message": reason})
        fromStatus = self.visible

        def end(tx, now):
            ended = runs.finish(self.store, self.workflowId, self.epoch, status, None, error,
                                now, tx)
            if ended == 1:
                # getTransitions lists the change; getCommands' outcome.
                self.noteTaken(msg, fromStatus, status, tx, now)
            return ended
        n = self.consumeWith(msg, "engine", end)
        if n is None:
            # Already consumed: by our own attempt whose commit answer was
            # lost if the row says ``status``; otherwise it is not ours to act on.
            row = self._row()
            if row is None or row.claimEpoch != self.epoch or row.status != status:
                return
        elif n != 1:
            self.lost()
        raise self.interrupt(interruptClass(reason))

    def setVisible(self, status):
        written = self.retrying(lambda: runs.setVisibleState(
            self.store, self.workflowId, self.epoch, status, clock.nowMs(), None,
            self.timeoutIncludesHeld))
        if written.rows != 1:
            self.lost()
        self.followVisible(status, written)

    def followVisible(self, status, written):
        """Takes the status just written, and the deadline it left (a
        RESUME pushes it back by the time held)."""
        self.visible = status
        if written.rows:
            self.deadlineMs = written.deadlineMs

    def sleep(self, totalMs, sliceMs=SLICE_MS):
        """Sleeps ``totalMs`` of running time: time spent HELD does not count."""
        wakeAt = clock.nowMs() + totalMs
        return self.sleepUntil(wakeAt, sliceMs)

    def sleepUntil(self, wakeAt, sliceMs=SLICE_MS, fid=None):
        """Sleeps until ``wakeAt`` (pushed back by time spent HELD), passing
        a safe point every ``sliceMs`` (at most 4 slices). The durable sleep
        (operation ``fid``) releases its thread once it has slept
        releaseAfterMs here and more than that remains; woken, it sleeps to
        the wake-up time it had then (wokenUntil)."""
        if self.pending is not None:
            self.raisePending()
        sliceMs = max(1, min(int(sliceMs), SLICE_MS * 4))
        if fid is not None:
            kept = self.wokenUntil(fid)
            if kept is not None:
                wakeAt = kept + self.safePoint()
        since = clock.nowMs()
        try:
            while True:
                remaining = wakeAt - clock.nowMs()
                if remaining <= 0:
                    return
                if fid is not None:
                    self.waitNote = {"fid": fid, "untilMs": wakeAt}
                    if remaining > releaseAfterMs() and self.mayRelease(since) \
                            and not self.release("SLEEP", states.RUNNING, wakeAt):
                        since = clock.nowMs()
                clock.sleepMs(min(sliceMs, remaining))
                wakeAt += self.safePoint()
        finally:
            self.waitNote = None
