"""The ``rt.*`` operations of an executing run: progress, events, streams and
received commands. Mixed into context.RunContext, whose operation cursor
(replay.py), safe points (safepoints.py) and sticky interrupt
(interrupts.py) they use.

Each raises the run's pending interrupt first (interrupts.py): once a run
is stopped, cancelled, timed out or lost, no ``rt.*`` call writes anything.

Called in the workflow body, setEvent, writeStream, send and the receives
are operations: each takes an operation id and is recorded with its effect
in one transaction, so it happens exactly once, and a replay returns what
was recorded without doing it again.

Called inside a step, setEvent, writeStream, progress and send are part of
the step's effect (docs/steps.md "Events, streams and messages inside a
step"): they take no operation id, so the workflow's history is the same
whether or not a step writes. They are written at once, guarded by the
claim. A step that is replayed does not run, so they are not written again;
a step that runs again (a retry, or after a crash: steps are at least once)
writes them again. Events and progress converge on the last value; stream
values (and event history rows) are keyed by the step's operation id and
their number within the attempt (``subOffset``: per stream key; one
numbering for all events), so a step that writes the same values again
replaces them instead of adding copies. Receives cannot be part of a step
(a consumed message would be lost with a crashed step) and raise
DeterminismError there.

rt.recvCommand has two modes. Native (the default of workflows registered
through ``bootstrap``): one command per call, oldest first, none refused.
Arbitrated (the default of the upstream profile, or ``arbitrate=True``):
0.3.6's choice among a batch (core/commands.py), with what 0.3.6 lost kept
(docs/service-api.md "Operator commands"): the choice and the batch's refused
commands are consumed with its record in one transaction.

Size limits (kernel config, read once per run by the context):
    rt.setEvent / rt.writeStream: a value's JSON over ``maxValueBytes`` or
        nested deeper than ``maxJsonDepth`` raises TooLarge to the workflow;
        nothing is written and no operation id is taken, so the call may be
        caught and the workflow go on (replay raises it again, the same way).
    rt.progress: a text message is cut to PROGRESS_MESSAGE_CHARS; a message
        and extra whose JSON is still over PROGRESS_BYTES (an oversized
        ``extra``) raise TooLarge and leave the previous progress in place.
        A workflow of the upstream profile (engine/runtime.py) also sets the
        event LAST_MESSAGE_EVENT to {ts, message, extra}, as 0.3.6 did.
"""
from exchange.workflows.core import clock, codec, commands, states
from exchange.workflows.core.errors import ANY_ERROR, DeterminismError, InvalidArguments
from exchange.workflows.engine import children, database, prompts, queries, registry
from exchange.workflows.engine import commands as engineCommands
from exchange.workflows.engine.safepoints import SLICE_MS
from exchange.workflows.engine.safepoints import releaseAfterMs as kernelReleaseAfterMs
from exchange.workflows.store import checkpoints, db, events, mailbox, runs

PROGRESS_MESSAGE_CHARS = 1000
# The event an upstream-profile workflow's rt.progress also sets (0.3.6's).
LAST_MESSAGE_EVENT = "phase.last_message"
PROGRESS_BYTES = 16000
# How an arbitrated rt.recvCommand marks the commands it refused (getCommands' consumedBy).
DROPPED_BY = "dropped"
# The most commands one arbitrated rt.recvCommand reads (its maxMessages is cut to this).
MAX_BATCH = 1000
# An attempt to take a message lost the race for it: read the mailbox again.
_AGAIN = object()


class _Taken(Exception):
    """A message of the batch was consumed meanwhile: the transaction is undone."""


class Operations(object):
    """The rt.* calls; ``self`` is a RunContext."""

    def progress(self, message, extra=None):
        if self.pending is not None:
            self.raisePending()
        if isinstance(message, codec.TEXT) and len(message) > PROGRESS_MESSAGE_CHARS:
            message = message[:PROGRESS_MESSAGE_CHARS - 3] + "..."
        body = codec.encodeLimited({"message": message, "extra": extra}, PROGRESS_BYTES,
                                   self.maxDepth, "rt.progress message and extra")
        now = clock.nowMs()
        if not self.replaying():
            # The limited text above is reused: only the timestamp is added.
            payload = body[:-1] + ',"tsMs":%d}' % now
            n = self.retrying(lambda: runs.setProgress(self.store, self.workflowId,
                                                       self.epoch, payload, now))
            if n != 1:
                self.lost()
        if self.upstreamProfile():
            # 0.3.6 also published every progress message as this event; in
            # the body it is an operation, so it is passed on replay too.
            last = {"ts": now, "message": message}
            if extra is not None:
                last["extra"] = extra
            self.setEvent(LAST_MESSAGE_EVENT, last)

    def upstreamProfile(self):
        """True when the run's workflow was registered the 0.3.6 way (engine/runtime.py)."""
        wdef = registry.get(self.workflowName)
        return wdef is not None and wdef.profile == registry.UPSTREAM

    def setEvent(self, key, value):
        if self.inStep:
            text = self.stepValue("rt.setEvent", key, value)
            # One numbering for all of a step's events: their history rows
            # are keyed by (step, subOffset) whatever the key.
            self.stepWrite("events", lambda sub, now, tx: events.stepEvent(
                self.store, self.workflowId, self.epoch, key, self.stepId, sub, text, now, tx))
            return
        self.sideWrite("rt.setEvent", key, value, lambda fid, text, tx, now: events.setEvent(
            self.store, self.workflowId, key, fid, text, now, tx))

    def writeStream(self, key, value):
        """Returns the value's offset: its operation id, or the enclosing
        step's inside a step (where values are numbered by ``subOffset``)."""
        if self.inStep:
            text = self.stepValue("rt.writeStream", key, value)
            self.stepWrite(("stream", key), lambda sub, now, tx: events.stepStream(
                self.store, self.workflowId, self.epoch, key, self.stepId, sub, text, now, tx))
            return self.stepId
        return self.sideWrite("rt.writeStream", key, value,
                              lambda fid, text, tx, now: events.writeStream(
                                  self.store, self.workflowId, key, fid, text, now, tx))

    def stepValue(self, name, key, value):
        """The JSON of a value written inside a step (checked like any value)."""
        if self.pending is not None:
            self.raisePending()
        return codec.encodeLimited(value, self.maxValueBytes, self.maxDepth,
                                   "the %s value of key %r" % (name, key))

    def stepWrite(self, what, write):
        """One write inside a step, numbered within the step's attempt (1,
        2, ...) in the numbering ``what``; ``write(subOffset, now, tx)``
        returns 0 when the run is not ours."""
        sub = self.stepWrites.get(what, 0) + 1
        self.stepWrites[what] = sub

        def once():
            with self.store.transaction() as tx:
                return write(sub, clock.nowMs(), tx)
        if self.retrying(once) != 1:
            self.lost()

    def sideWrite(self, name, key, value, write):
        """An operation whose effect is a row elsewhere, recorded with it
        atomically; returns its operation id.

        The value is checked before the operation takes its id: a value that
        is refused leaves no gap in the run's recorded history.
        """
        if self.pending is not None:
            self.raisePending()
        rec = self.cursor.recorded()
        if rec is not None and rec.functionName == name:
            return self.cursor.advance()[0]
        text = codec.encodeLimited(value, self.maxValueBytes, self.maxDepth,
                                   "the %s value of key %r" % (name, key))
        fid, rec = self.begin(name)
        if rec is not None:
            return fid
        now = clock.nowMs()

        def both():
            with self.store.transaction() as tx:
                write(fid, text, tx, now)
                self.record(fid, name, tx=tx)
        try:
            self.retrying(both)
        except db.UniqueViolation:
            self.confirmOwnWrite(fid, name)
        return fid

    def send(self, destination, message, topic):
        """Posts ``message`` to the mailbox of run ``destination`` under
        ``topic``; returns True, or False when that run is not active.

        In the workflow body the post is an operation recorded in the same
        transaction (exactly once; a replay does not post again). Inside a
        step it is part of the step (at least once).
        """
        if self.pending is not None:
            self.raisePending()
        text = codec.encodeLimited(message, self.maxValueBytes, self.maxDepth,
                                   "the rt.send message")
        if self.inStep:
            return postNow(self.store, destination, topic, text, self.workflowId)
        name = "rt.send"
        fid, rec = self.begin(name)
        if rec is None:
            def both():
                with self.store.transaction() as tx:
                    seq = post(self.store, destination, topic, text, self.workflowId,
                               clock.nowMs(), tx)
                    self.record(fid, name, output=codec.encode({"seq": seq}), tx=tx)
                return seq
            try:
                seq = self.retrying(both)
            except db.UniqueViolation:
                rec = self.confirmOwnWrite(fid, name)
            else:
                if seq is not None:
                    notify(self.dbName, destination)
                return seq is not None
        return codec.decode(rec.output).get("seq") is not None

    def ask(self, key, prompt, choices=None, default=None, timeoutSeconds=None):
        """rt.ask: waits durably for an operator's answer (engine/prompts.py)."""
        return prompts.ask(self, key, prompt, choices, default, timeoutSeconds)

    def startChild(self, workflowName, inputs, queueName, partitionKey, priority, timeoutSeconds,
                   propagate):
        """rt.startChild (engine/children.py)."""
        return children.startChild(self, workflowName, inputs, queueName, partitionKey, priority,
                                   timeoutSeconds, propagate)

    def awaitChildren(self, ids, mode, timeoutSeconds):
        """rt.awaitChild / awaitAll / awaitAny (engine/children.py)."""
        return children.awaitChildren(self, ids, mode, timeoutSeconds)

    def isCancelled(self):
        """True once the run is interrupted or its row says it was cancelled
        or stopped. Looks at the row only when the control board moved
        (as a safe point does); never raises."""
        if self.pending is not None:
            return True
        if self.pastDeadline():
            return True
        if self.board.get() == self.seen:
            return False
        try:
            row = self._row()
        except ANY_ERROR:
            return False
        return row is None or row.claimEpoch != self.epoch or row.status in (
            states.CANCELLED, states.STOPPED, states.ABORTED)

    def checkTimeout(self):
        """Past the run's deadline: ends it ERROR (timed out) and raises
        WorkflowTimedOut, inside a step too. Raises a pending interrupt."""
        if self.pending is not None:
            self.raisePending()
        if not self.replaying() and self.pastDeadline():
            self.timedOut()

    def recvCommand(self, currentState=None, topic=states.COMMAND_TOPIC, timeoutSeconds=0,
                    maxMessages=5, arbitrate=None):
        """Returns the next command of ``topic``, or None.

        Native: the oldest unconsumed command (a dict); ``currentState`` is
        None, RUNNING or HELD; ``maxMessages`` is not used.
        Arbitrated (``arbitrate``; None: the workflow's profile decides):
        reads up to ``maxMessages`` commands (at most MAX_BATCH), waiting
        for the first, and returns the Choice of core.commands.arbitrate for
        ``currentState`` (any state name, or None: no filtering) as
        ``{cmd, message, priority}``, or None when every command read was
        refused. Refused commands are consumed as DROPPED_BY; allowed ones
        that lost stay for the next call.
        """
        try:
            # Below 1 reads one, as 0.3.6 did.
            batch = min(MAX_BATCH, max(1, int(maxMessages)))
        except (TypeError, ValueError):
            raise InvalidArguments("maxMessages must be a whole number, not %r" % (maxMessages,))
        if arbitrate is None:
            arbitrate = self.upstreamProfile()
        if not arbitrate:
            if currentState not in (None, states.RUNNING, states.HELD):
                raise InvalidArguments("currentState must be 'RUNNING', 'HELD' or None")
            return self.receive("rt.recvCommand:", currentState, topic, timeoutSeconds)
        if currentState is not None:
            if not isinstance(currentState, codec.TEXT):
                raise InvalidArguments("currentState must be a state name or None")
            currentState = currentState.upper()
        return self.receive("rt.recvCommand:", currentState, topic, timeoutSeconds, batch)

    def recv(self, topic=states.COMMAND_TOPIC, timeoutSeconds=0):
        """Returns the oldest unconsumed message of ``topic`` as it was sent
        (a dict gains its mailbox ``seq``), or None."""
        return self.receive("rt.recv:", None, topic, timeoutSeconds)

    def receive(self, prefix, currentState, topic, timeoutSeconds, batch=None):
        """Takes the oldest unconsumed message of ``topic``, or None; with a
        ``batch`` size, arbitrates that many (choose()).

        A received message is recorded with the receive, atomically, so a
        replay returns the same message. An empty receive records nothing:
        on replay, an id whose record is not a receive means "got nothing".
        """
        if self.pending is not None:
            self.raisePending()
        if self.inStep:
            raise DeterminismError("%s cannot be called inside a step: call it in the "
                                   "workflow body" % prefix.rstrip(":"))
        if self.handling is not None:
            # Commands and messages that arrive while a handler runs are for
            # the engine (or the body) to take after it (docs/control.md).
            raise InvalidArguments("%s cannot be called in a command handler (%s)"
                                   % (prefix.rstrip(":"), self.handling.handler))
        name = prefix + topic
        if topic == states.COMMAND_TOPIC:
            self.selfCommanded = True
        rec = self.cursor.recorded()
        if rec is not None:
            if rec.functionName != name:
                return None
            self.cursor.advance()
            return self._command(codec.decode(rec.output))
        self.safePoint()
        if currentState in (states.RUNNING, states.HELD) and currentState != self.visible:
            self.setVisible(currentState)
        fid = self.cursor.nextId
        deadline = self.wokenUntil(fid)
        if deadline is None:  # else woken: the deadline it had
            deadline = clock.nowMs() + int(float(timeoutSeconds or 0) * 1000)
        since = clock.nowMs()
        try:
            return self.receiving(name, currentState, topic, batch, fid, deadline, since)
        finally:
            self.waitNote = None

    def receiving(self, name, currentState, topic, batch, fid, deadline, since):
        """receive()'s wait for a message until ``deadline``; it releases the
        thread (kind RECV) once it has waited releaseAfterMs here and more
        than that remains, unless it arbitrates a batch.
        (The time held counts against a receive's timeout, as before.)"""
        # A HOLD release inside this wait keeps its deadline too.
        self.waitNote = {"fid": fid, "untilMs": deadline}
        while True:
            v = self.board.get()
            if v != self.mailSeen:
                msgs = self.retrying(lambda: mailbox.pending(
                    self.store, self.workflowId, topic, batch or 1))
                if msgs:
                    # ABORT is the engine's even here (safepoints.forEngine).
                    if topic == states.COMMAND_TOPIC and any(self.forEngine(m) for m in msgs):
                        continue
                    if batch is None:
                        cmd = self.take(name, msgs[0])
                    else:
                        cmd = self.choose(name, msgs, currentState)
                    if cmd is not _AGAIN:
                        return cmd
                    continue
                self.mailSeen = v
            remaining = deadline - clock.nowMs()
            if remaining <= 0:
                return None
            if remaining > kernelReleaseAfterMs() and batch is None and self.mayRelease(since):
                if not self.release("RECV", self.visible, deadline,
                                    lambda: not self.retrying(lambda: mailbox.pending(
                                        self.store, self.workflowId, topic, 1)),
                                    {"topic": topic}):
                    since = clock.nowMs()
            clock.sleepMs(min(SLICE_MS, remaining))
            self.safePoint()

    def take(self, name, msg):
        """Receives one message: consumed and recorded in one transaction."""
        payload = self.delivered(msg)
        fid = self.cursor.nextId

        def write(tx, now):
            self.record(fid, name, output=codec.encode(payload), tx=tx)
            return True
        try:
            taken = self.consumeWith(msg, "workflow", write) is not None
        except db.UniqueViolation:
            taken = False
        if not taken:
            rec = self.ownReceive(fid, name)
            if rec is None:
                return _AGAIN
            payload = codec.decode(rec.output)
        self.cursor.advance()
        return self._command(payload)

    def choose(self, name, msgs, currentState):
        """Arbitrates ``msgs`` (mailbox rows, oldest first) for a workflow
        in ``currentState``. The chosen command is consumed by "workflow",
        the refused ones by DROPPED_BY, and the answer recorded, all in one
        transaction, so a replay returns the same answer (None too: every
        command refused) and never sees the batch again. Allowed commands
        that lost stay unconsumed."""
        decided = commands.arbitrate([self.delivered(m) for m in msgs], currentState)
        chosen = decided.chosen
        answer = None if chosen is None else chosen.asDict()
        taken = [] if chosen is None else [msgs[chosen.index]["seq"]]
        dropped = [msgs[i]["seq"] for i in decided.dropped]
        fid = self.cursor.nextId

        def write():
            with self.store.transaction() as tx:
                now = clock.nowMs()
                for seqs, by in ((taken, "workflow"), (dropped, DROPPED_BY)):
                    if mailbox.consumeMany(self.store, self.workflowId, seqs, by, now,
                                           tx) != len(seqs):
                        raise _Taken()
                self.record(fid, name, output=codec.encode(answer), tx=tx)
        try:
            self.retrying(write)
        except (_Taken, db.UniqueViolation):
            rec = self.ownReceive(fid, name)
            if rec is None:
                return _AGAIN
            answer = codec.decode(rec.output)
        self.cursor.advance()
        return self._command(answer)

    def ownReceive(self, fid, name):
        """After a message was found consumed by someone else: the receive
        recorded at ``fid`` when that was our own attempt whose commit
        answer was lost (the run still ours), else None."""
        rec = self.retrying(lambda: checkpoints.at(self.store, self.workflowId, fid))
        if rec is None or rec.functionName != name:
            return None
        self.checkRow()
        return rec

    @staticmethod
    def delivered(msg):
        """A mailbox row as the workflow receives it: the message as sent
        (a dict gains its ``seq``)."""
        payload = codec.decode(msg["payload"])
        if isinstance(payload, dict):
            payload["seq"] = msg["seq"]
        return payload

    def _command(self, payload):
        if isinstance(payload, dict) and payload.get("cmd") == "STOP":
            self.stopReceived = True
        return payload


def post(store, destination, topic, text, sender, now, tx, reason=None):
    """Posts a message (JSON ``text``) to run ``destination``'s mailbox in
    ``tx``; returns its seq, or None when that run is not active."""
    taken = runs.bumpCommandSeq(store, destination, now, tx)
    if taken is None:
        return None
    mailbox.post(store, destination, taken[0], topic, text, sender, reason, now, tx)
    return taken[0]


def postNow(store, destination, topic, text, sender):
    """post() in its own transaction, waking the destination; returns True
    when it was posted."""
    with store.transaction() as tx:
        seq = post(store, destination, topic, text, sender, clock.nowMs(), tx)
    if seq is not None:
        notify(store.dbName, destination)
    return seq is not None


def sendMessage(dbName, workflowId, topic, message, reason, sender):
    """service.send: posts ``message`` (JSON) to the run's mailbox under
    ``topic`` for its rt.recv(topic); returns {workflowId, topic, seq}.

    Raises:
        InvalidArguments: the message has no JSON form or is over the limits.
        NotFound / engine.commands.NotActive: no such run, or it already finished.
    """
    store = database.prepare(dbName)
    text = prompts.operatorJson(message, "the message")
    with store.transaction() as tx:
        seq = post(store, workflowId, topic, text, sender, clock.nowMs(), tx, reason)
    if seq is None:
        row = queries.requireRun(store, workflowId)
        raise engineCommands.NotActive("Workflow %s already finished with status %s; messages only "
                                 "reach active runs." % (workflowId, row["status"]))
    notify(dbName, workflowId)
    return {"workflowId": workflowId, "topic": topic, "seq": seq}


def notify(dbName, workflowId):
    """Tells run ``workflowId`` that something arrived for it, waking it if
    it released its thread (dispatcher.notify)."""
    # Imported here: dispatcher -> executor -> context -> this module would
    # be an import cycle at load time.
    from exchange.workflows.engine import dispatcher
    dispatcher.notify(dbName, workflowId)
