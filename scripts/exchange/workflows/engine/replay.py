"""A run's recorded history and where the run is in it (its operation cursor).

Every durable operation takes the next function id. While that id is below
the length of the recorded history the run is *replaying*: the operation
returns its recorded result without running. A mismatch of names at an id
means the code changed under a running workflow, and fails the run clearly.

A ``Cursor`` is one numbering of operations: the body's, or a command
handler's (issue 12: each transition's handler has its own, so the body's
numbering never moves; engine/transitions.py swaps cursors around a handler).

No operation starts and nothing is recorded once the run holds a pending
interrupt (interrupts.py). Every record is one INSERT guarded by the claim
epoch (with group commit switched on, shared with other runs' records
written at the same moment: committer.py); a refused one means the run is
not ours any more (``lost``).
"""
from exchange.workflows.core import clock
from exchange.workflows.core.errors import ClaimLost, DeterminismError, InvalidArguments
from exchange.workflows.engine import committer
from exchange.workflows.store import checkpoints, db, runs
from exchange.workflows.store.records import Operation


class Cursor(object):
    """The recorded operations of one numbering and the next id to take.

    ``transitionSeq`` is None for the workflow body, whose ids start at 0;
    a handler's cursor names its transition, and its ids start at
    checkpoints.handlerBase(seq) (one block per transition). ``nextId`` is
    always the id as recorded; ``history`` holds the numbering's records
    from its first id on."""
    __slots__ = ("history", "nextId", "transitionSeq", "base")

    def __init__(self, history, transitionSeq=None):
        self.history = history
        self.transitionSeq = transitionSeq
        self.base = 0 if transitionSeq is None else checkpoints.handlerBase(transitionSeq)
        self.nextId = self.base

    def replaying(self):
        return self.nextId - self.base < len(self.history)

    def recorded(self):
        """The record at the next id (without taking it), or None past the history."""
        i = self.nextId - self.base
        return self.history[i] if i < len(self.history) else None

    def advance(self):
        """Takes the next id; returns (functionId, its record or None)."""
        fid = self.nextId
        if self.transitionSeq is not None and fid - self.base >= checkpoints.HANDLER_BLOCK:
            raise InvalidArguments("A handler may record at most %d operations."
                                   % checkpoints.HANDLER_BLOCK)
        self.nextId += 1
        i = fid - self.base
        return fid, (self.history[i] if i < len(self.history) else None)


class Replay(object):
    """Operations of a RunContext over its ``cursor``."""

    def replaying(self):
        return self.cursor.replaying()

    def begin(self, name):
        """Takes the next operation id; returns (functionId, recorded Operation or None).

        Raises the pending interrupt: no operation starts after one.
        """
        if self.pending is not None:
            self.raisePending()
        fid, rec = self.cursor.advance()
        if rec is not None and rec.functionName != name:
            raise DeterminismError(
                "Workflow %s (%s) recorded operation #%d as %r but the code now calls %r; "
                "the workflow code changed under a running workflow. Cancel the run, or "
                "restore the code it started with." % (
                    self.workflowName, self.workflowId, fid, rec.functionName, name))
        return fid, rec

    def record(self, fid, name, output=None, error=None, attempts=1, startedMs=None, tx=None):
        """Writes one operation's result (one INSERT, guarded by the claim).

        Refuses (raises the pending interrupt) once the run was interrupted:
        the database guard covers a cancel, but a run being stopped or timed
        out may still be ours to write for a moment.
        """
        if self.pending is not None:
            self.raisePending()
        now = clock.nowMs()
        op = Operation(fid, name, output, error, attempts, startedMs or now, now)

        def write():
            return checkpoints.record(self.store, self.workflowId, self.epoch, op, tx)
        try:
            if tx is not None:
                n = write()
            else:
                # Shared with other runs' records when group commit is on
                # and they checkpoint at the same moment; None: write it alone.
                n = committer.record(self.store, self.workflowId, self.epoch, op) \
                    if committer.ENABLED else None
                if n is None:
                    n = self.retrying(write)
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
