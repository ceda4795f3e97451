"""The ``rt.*`` operations of an executing run: progress, events, streams and
received commands. Mixed into context.RunContext, whose history, safe
points and sticky interrupt they use.

Each raises the run's pending interrupt first (see context.py): once a run
is stopped, cancelled, timed out or lost, no ``rt.*`` call writes anything.

Size limits (kernel config, read once per run by the context):
    rt.setEvent / rt.writeStream: a value's JSON over ``maxValueBytes`` or
        nested deeper than ``maxJsonDepth`` raises TooLarge to the workflow;
        nothing is written and no operation id is taken, so the call may be
        caught and the workflow go on (replay raises it again, the same way).
    rt.progress: a text message is cut to PROGRESS_MESSAGE_CHARS; a message
        and extra whose JSON is still over PROGRESS_BYTES (an oversized
        ``extra``) raise TooLarge and leave the previous progress in place.
"""
from exchange.workflows.core import clock, codec, states
from exchange.workflows.core.errors import DeterminismError
from exchange.workflows.store import checkpoints, db, events, mailbox, runs

PROGRESS_MESSAGE_CHARS = 1000
PROGRESS_BYTES = 16000


class Operations(object):
    """The rt.* calls; ``self`` is a RunContext."""

    def progress(self, message, extra=None):
        if self.pending is not None:
            self.raisePending()
        if isinstance(message, codec.TEXT) and len(message) > PROGRESS_MESSAGE_CHARS:
            message = message[:PROGRESS_MESSAGE_CHARS - 3] + "..."
        body = codec.encodeLimited({"message": message, "extra": extra}, PROGRESS_BYTES,
                                   self.maxDepth, "rt.progress message and extra")
        if self.replaying():
            return
        # The limited text above is reused: only the timestamp is added.
        payload = body[:-1] + ',"tsMs":%d}' % clock.nowMs()
        n = self.retrying(lambda: runs.setProgress(self.store, self.workflowId,
                                                   self.epoch, payload, clock.nowMs()))
        if n != 1:
            self.lost()

    def setEvent(self, key, value):
        self.sideWrite("rt.setEvent", key, value, lambda fid, text, tx, now: events.setEvent(
            self.store, self.workflowId, key, text, now, tx))

    def writeStream(self, key, value):
        self.sideWrite("rt.writeStream", key, value, lambda fid, text, tx, now: events.writeStream(
            self.store, self.workflowId, key, fid, text, now, tx))

    def sideWrite(self, name, key, value, write):
        """An operation whose effect is a row elsewhere, recorded with it atomically.

        The value is checked before the operation takes its id: a value that
        is refused leaves no gap in the run's recorded history.
        """
        if self.pending is not None:
            self.raisePending()
        if self.inStep:
            raise DeterminismError("%s cannot be called inside a step" % name)
        if self.replaying() and self.history[self.nextId].functionName == name:
            self.nextId += 1
            return
        text = codec.encodeLimited(value, self.maxValueBytes, self.maxDepth,
                                   "the %s value of key %r" % (name, key))
        fid, rec = self.begin(name)
        if rec is not None:
            return
        now = clock.nowMs()

        def both():
            with self.store.transaction() as tx:
                write(fid, text, tx, now)
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
        if self.pending is not None:
            self.raisePending()
        name = "rt.recvCommand:" + topic
        if topic == states.COMMAND_TOPIC:
            self.selfCommanded = True
        if self.replaying():
            rec = self.history[self.nextId]
            if rec.functionName != name:
                return None
            self.nextId += 1
            return self._command(codec.decode(rec.output))
        self.safePoint()
        if currentState in (states.RUNNING, states.HELD) and currentState != self.visible:
            self.setVisible(currentState)
        deadline = clock.nowMs() + int(float(timeoutSeconds or 0) * 1000)
        while True:
            v = self.board.get()
            if v != self.mailSeen:
                msgs = self.retrying(lambda: mailbox.pending(
                    self.store, self.workflowId, topic, 1))
                if msgs:
                    cmd = self.take(name, msgs[0])
                    if cmd is not None:
                        return cmd
                    continue
                self.mailSeen = v
            remaining = deadline - clock.nowMs()
            if remaining <= 0:
                return None
            clock.sleepMs(min(self.SLICE_MS, remaining))
            self.safePoint()

    def take(self, name, msg):
        payload = codec.decode(msg["payload"])
        payload["seq"] = msg["seq"]
        fid = self.nextId
        now = clock.nowMs()

        def both():
            with self.store.transaction() as tx:
                if mailbox.consume(self.store, self.workflowId, msg["seq"], "workflow",
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
            rec = self.retrying(lambda: checkpoints.at(self.store, self.workflowId, fid))
            if rec is None or rec.functionName != name:
                return None
            self.checkRow()
            payload = codec.decode(rec.output)
        self.nextId += 1
        return self._command(payload)

    def _command(self, payload):
        if payload and payload.get("cmd") == "STOP":
            self.stopReceived = True
        return payload
