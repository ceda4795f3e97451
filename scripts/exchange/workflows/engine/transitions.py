"""Command handlers (docs/control.md, issue 12): running onHold, onResume,
onStop and onAbort as durable code while the run is HOLDING, RESTARTING,
STOPPING or ABORTING, and moving the run on when the handler ends.

A transition is opened by the transaction that takes its command (or, for
a failure or timeout, by the worker that saw it) and closed once, by the
transaction that moves the run to the status after it
(store/transitions.py). Between the two the handler runs on the run's
thread with a cursor of its own: its operations are numbered in the
transition's own block of ids (store/checkpoints.py), so a crash during the
handler resumes the handler, replaying its finished steps, and the body's
numbering never moves.

While a handler runs, no command is taken: safe points look only for a
cancel (which interrupts the handler, as it interrupts anything) and, while
STOPPING, for an ABORT, which abandons onStop at its next safe point
(ISA-88 lets Abort escalate a Stop) and runs onAbort. Every other command
waits in the mailbox and is decided when the handler has ended.

Mixed into context.RunContext (after SafePoints).
"""
from exchange.workflows.core import clock, codec, logs, states
from exchange.workflows.core.errors import (ANY_ERROR, ClaimLost, InvalidArguments, WorkflowAborted,
                                              WorkflowCancelled, WorkflowInterrupt,
                                              WorkflowStopped, describe, toRecord)
from exchange.workflows.engine import control
from exchange.workflows.engine.interrupts import retrying
from exchange.workflows.engine.replay import Cursor
from exchange.workflows.store import checkpoints, mailbox, transitions

# A taken command that ends the run: (error type, default reason, interrupt).
ENDINGS = {
    states.STOPPED: ("Stopped", "STOP command", WorkflowStopped),
    states.ABORTED: ("Aborted", "ABORT command", WorkflowAborted),
}
# The statuses a run's body may be in when a failure or timeout opens ABORTING.
_BODY_STATUSES = (states.RUNNING, states.PENDING)


def logger():
    return logs.get("control")


def commandDetail(seq):
    """A command transition's detail: the mailbox seq of its command, which
    getCommands follows to say what the command led to (its outcome)."""
    return codec.encode({"commandSeq": seq})


def noteCommand(store, workflowId, seq, cmd, sender, reason, fromStatus, toStatus, now, tx):
    """Records, in ``tx`` (the one that consumed command ``seq`` and changed
    the run's status), the change from ``fromStatus`` to ``toStatus`` that
    the command made without a handler: getTransitions lists it and
    getCommands shows ``toStatus`` as the command's outcome. A run that ends
    so before a claim abandons the onResume it was to run."""
    if toStatus in states.FINISHED:
        transitions.abandonPending(store, workflowId, now, tx)
    return transitions.note(store, workflowId, fromStatus, toStatus, control.CAUSE_COMMAND,
                            cmd, sender, reason, commandDetail(seq), now, tx)


def noteCancel(store, workflowId, fromStatus, sender, reason, now, tx):
    """Records, in the transaction that cancelled the run, its change from
    ``fromStatus`` to CANCELLED (getTransitions); an onResume still to run
    (the run was resumed and not claimed since) is ABANDONED."""
    transitions.abandonPending(store, workflowId, now, tx)
    return transitions.note(store, workflowId, fromStatus, states.CANCELLED, control.CAUSE_CANCEL,
                            None, sender, reason, None, now, tx)


class Escalated(WorkflowAborted):
    """An ABORT taken while onStop runs: onStop is abandoned at its next
    safe point (sticky, like any interrupt, until the handler has returned),
    then onAbort runs. Never leaves runTransition."""


class _NotOurs(Exception):
    """The status change of a transition was refused: rolls back the
    consume of its command."""


class Transitions(object):
    """Handlers of a RunContext (``self.wfdef``, ``self.inputs`` set by the executor)."""

    def declared(self):
        """The handler names the workflow declares."""
        wfdef = getattr(self, "wfdef", None)
        return wfdef.handlers.declared() if wfdef is not None else ()

    def beforeFirstOperation(self):
        """True while the body has recorded no operation (a HOLD taken then
        runs no handler: nothing has been done that onHold must make safe)."""
        return self.cursor.transitionSeq is None and self.cursor.nextId == 0

    # -- opening ------------------------------------------------------------

    def beginFromCommand(self, msg, fromStatus, decision):
        """Takes ``msg`` (a command) and opens the transition ``decision``
        says, in one transaction; returns the Transition, or None when
        someone else had consumed the command."""
        fromStatuses = (fromStatus, states.PENDING) if fromStatus == states.RUNNING \
            else (fromStatus,)
        cmd = (codec.decode(msg["payload"]) or {}).get("cmd")

        def write(tx, now):
            t = transitions.begin(self.store, self.workflowId, self.epoch, fromStatuses,
                                  decision.toStatus, decision.handler, control.CAUSE_COMMAND,
                                  control.canonical(cmd), msg.get("sender"), msg.get("reason"),
                                  commandDetail(msg["seq"]), now, tx)
            if t is None:
                raise _NotOurs()
            return t
        try:
            t = self.consumeWith(msg, "engine", write)
        except _NotOurs:
            self.lost()
        if t is None:
            # Consumed already: by our own attempt whose commit answer was
            # lost when the row shows the transition open under our claim.
            t = self.retrying(lambda: transitions.opened(self.store, self.workflowId))
            row = self._row()
            if t is None or row is None or row.claimEpoch != self.epoch or \
                    row.status != decision.toStatus:
                return None
        return t

    def beginFromFailure(self, cause, error):
        """Opens ABORTING after the body raised (``cause`` error) or timed
        out, when the workflow wants onAbort run (abortOnError and declared);
        returns the Transition, or None when it does not. ``error`` (a
        record) is what the run ends ERROR with after onAbort."""
        decision = control.failure(self.wfdef.abortOnError, self.declared())
        if decision.handler is None:
            return None
        detail = codec.encode(error)

        def write():
            with self.store.transaction() as tx:
                return transitions.begin(self.store, self.workflowId, self.epoch,
                                         (self.visible,) + _BODY_STATUSES, decision.toStatus,
                                         decision.handler, cause, None, None, None, detail,
                                         clock.nowMs(), tx)
        t = self.retrying(write)
        if t is None:
            self.lost()
        return t

    def noteTaken(self, msg, fromStatus, toStatus, tx, now):
        """For a command ``msg`` (a mailbox row) taken in ``tx`` that moved
        the run from ``fromStatus`` to ``toStatus`` with no handler (HOLD
        straight to HELD, RESUME to RUNNING, STOP or ABORT ending the run):
        records that change as a transition (noteCommand)."""
        cmd = (codec.decode(msg["payload"]) or {}).get("cmd")
        return noteCommand(self.store, self.workflowId, msg["seq"], control.canonical(cmd),
                           msg.get("sender"), msg.get("reason"), fromStatus, toStatus, now, tx)

    # -- running ------------------------------------------------------------

    def runTransition(self, t):
        """Runs the handler of the open transition ``t`` and moves the run
        on; returns the status reached (HELD, RUNNING, STOPPED, ABORTED or
        ERROR). Raises the pending interrupt of a cancel or a lost claim
        (the transition stays open: recovery finishes it, or the cancel
        ended the run)."""
        fn = getattr(self.wfdef.handlers, t.handler)
        history = self.retrying(lambda: checkpoints.load(self.store, self.workflowId, t.seq))
        saved = (self.cursor, self.inStep, self.stepId, self.stepWrites)
        self.cursor = Cursor(history, t.seq)
        self.inStep, self.stepId, self.stepWrites = False, None, {}
        self.visible, self.handling = t.toStatus, t
        failure, escalated = None, None
        try:
            fn(**self.inputs)
        except Escalated:
            pass
        except WorkflowInterrupt:
            pass  # raised again below from ``pending``
        except ANY_ERROR as e:
            failure = e
        finally:
            self.cursor, self.inStep, self.stepId, self.stepWrites = saved
            self.handling = None
            # Commands sent while the handler ran are looked at now.
            self.seen = -1
        if isinstance(self.pending, Escalated):
            escalated, self.pending = self.pending, None
        if self.pending is not None:
            if isinstance(self.pending, WorkflowCancelled):
                self.abandon(t)
            self.raisePending()
        if escalated is not None:
            return self.escalate(t, escalated)
        return self.endTransition(t, failure)

    def endTransition(self, t, failure):
        toStatus = control.endStatus(t.toStatus, t.cause, failure is not None)
        state, error = transitions.DONE, None
        if failure is not None:
            state = transitions.FAILED
            record = toRecord(failure)
            record["handler"] = t.handler
            record["transition"] = t.seq
            error = codec.encode(record)
            logger().warnf("run %s (%s): handler %s raised (%s); the run goes to %s",
                           self.workflowId, self.workflowName, t.handler, describe(failure),
                           toStatus)
        runError = None
        if toStatus in ENDINGS:
            errorType, defaultReason, _ = ENDINGS[toStatus]
            runError = codec.encode({"type": errorType, "message": t.reason or defaultReason})
        elif toStatus == states.ERROR:
            runError = t.detail

        def write():
            with self.store.transaction() as tx:
                return transitions.end(self.store, self.workflowId, self.epoch, t, state, error,
                                       toStatus, runError, clock.nowMs(), tx,
                                       self.timeoutIncludesHeld)
        ended = self.retrying(write)
        if ended.rows != 1:
            row = self._row()
            # Our own write whose commit answer was lost, or not ours any more.
            if row is None or row.claimEpoch != self.epoch or row.status != toStatus:
                self.lost()
        self.visible = toStatus
        if ended.rows and toStatus in (states.HELD, states.RUNNING):
            self.deadlineMs = ended.deadlineMs
        self.mustPark = toStatus == states.HELD
        return toStatus

    def abandon(self, t):
        """Closes ``t`` ABANDONED after a cancel interrupted its handler (the
        run is CANCELLED already); best effort: the run's status says it all."""
        def write():
            with self.store.transaction() as tx:
                transitions.end(self.store, self.workflowId, self.epoch, t,
                                transitions.ABANDONED, None, None, None, clock.nowMs(), tx)
        try:
            retrying(write)
        except ANY_ERROR + (ClaimLost,) as e:
            logger().debugf("run %s: the cancelled %s could not be marked ABANDONED (%s)",
                            self.workflowId, t.handler, describe(e))

    def escalate(self, t, escalated):
        """onStop abandoned for an ABORT: closes its transition ABANDONED
        and opens ABORTING with the ABORT's consume, in one transaction,
        then runs onAbort (or ends ABORTED at once without one)."""
        msg = self.escalation
        self.escalation = None
        decision = control.decide(states.STOPPING, "ABORT", declared=self.declared())

        def write(tx, now):
            if decision.handler is None:
                aborted = codec.encode({"type": "Aborted",
                                        "message": escalated.reason or "ABORT command"})
                if transitions.end(self.store, self.workflowId, self.epoch, t,
                                   transitions.ABANDONED, None, states.ABORTED, aborted,
                                   now, tx).rows != 1:
                    raise _NotOurs()
                noteCommand(self.store, self.workflowId, msg["seq"], "ABORT", msg.get("sender"),
                            msg.get("reason"), states.STOPPING, states.ABORTED, now, tx)
                return True
            transitions.end(self.store, self.workflowId, self.epoch, t, transitions.ABANDONED,
                            None, None, None, now, tx)
            nxt = transitions.begin(self.store, self.workflowId, self.epoch, (states.STOPPING,),
                                    states.ABORTING, decision.handler, control.CAUSE_COMMAND,
                                    "ABORT", msg.get("sender"), msg.get("reason"),
                                    commandDetail(msg["seq"]), now, tx)
            if nxt is None:
                raise _NotOurs()
            return nxt
        try:
            written = self.consumeWith(msg, "engine", write)
        except _NotOurs:
            self.lost()
        if written is None:
            self.lost()
        if written is True:
            self.visible = states.ABORTED
            return states.ABORTED
        return self.runTransition(written)

    def openPendingTransition(self):
        """Before the body of a run that service.resume reopened: runs the
        onResume recorded with the resume (RESTARTING, then RUNNING; HELD
        if it raises). Returns the status reached, or None when there is no
        such transition (or the workflow here declares no onResume)."""
        t = self.retrying(lambda: transitions.pending(self.store, self.workflowId))
        if t is None:
            return None
        if t.handler not in self.declared():
            self.retrying(lambda: transitions.settle(self.store, self.workflowId, t))
            return None

        def write():
            with self.store.transaction() as tx:
                return transitions.openPending(self.store, self.workflowId, self.epoch, t,
                                               clock.nowMs(), tx)
        opened = self.retrying(write)
        if opened is None:
            self.lost()
        return self.runTransition(opened)

    def resumeTransition(self):
        """After a crash or takeover: finishes the run's open transition
        (its handler replays its finished steps and goes on); returns the
        status reached, or the row's status when none is open."""
        t = self.retrying(lambda: transitions.opened(self.store, self.workflowId))
        if t is None:
            raise InvalidArguments("run %s is %s with no open transition"
                                   % (self.workflowId, self.visible))
        return self.runTransition(t)

    # -- at a safe point inside a handler -----------------------------------

    def handlerControl(self):
        """Safe point inside a handler: a cancel interrupts it; while
        STOPPING, an ABORT abandons onStop. Nothing else is taken here."""
        v = self.board.get()
        if v == self.seen:
            return 0
        self.seen = v
        self.checkRow()
        if self.handling.toStatus == states.STOPPING and self.escalation is None:
            msg = self.firstAbort()
            if msg is not None:
                self.escalation = msg
                raise self.interrupt(Escalated(msg.get("reason") or "ABORT command"))
        return 0

    def firstAbort(self):
        """The oldest unread ABORT in the run's mailbox, or None."""
        afterSeq = -1
        while True:
            page = self.retrying(lambda after=afterSeq: mailbox.pending(
                self.store, self.workflowId, states.COMMAND_TOPIC, 20, after))
            for msg in page:
                cmd = (codec.decode(msg["payload"]) or {}).get("cmd")
                try:
                    if control.canonical(cmd) == "ABORT":
                        return msg
                except InvalidArguments:
                    continue
            if len(page) < 20:
                return None
            afterSeq = page[-1]["seq"]
