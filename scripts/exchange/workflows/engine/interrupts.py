"""How an executing run is interrupted, and stays interrupted.

Interrupts are sticky. Workflow code may catch anything (a bare ``except:``
catches our BaseException interrupts; ``except java.lang.Throwable`` does
not, Jython never wraps a Python exception in a Java one), so raising once
is not enough. The first STOP, ABORT, cancel, timeout or lost claim becomes the
context's ``pending`` interrupt, and every later safe point, operation,
record and ``rt.*`` call raises it again: a workflow that swallows it can
run no further step, and its return value is ignored.

A later interrupt replaces the pending one only when it is more final
(``rank``): an ABORT overrides a STOP, a cancel both, a lost claim
everything.

The run's row is the authority on why a write was refused (``lost``) or
whether the run is still ours (``checkRow``): both read it and raise the
matching interrupt. A database outage is waited out for up to
``DB_RETRY_MS`` (``retrying``); after that the claim counts as lost and the
run is left to recovery.

Mixed into context.RunContext (``self`` has store, workflowId,
workflowName and epoch).
"""
from exchange.workflows.core import clock, logs, states
from exchange.workflows.core.errors import (ClaimLost, DatabaseUnavailable, WorkflowAborted,
                                              WorkflowCancelled, WorkflowStopped)
from exchange.workflows.store import runs

DB_RETRY_MS = 60000
# A workflow that keeps catching its pending interrupt in a loop gets it
# again at every call; past this many re-raises each one also sleeps
# RUNAWAY_PAUSE_MS, so a ``while True: try/except: pass`` loop cannot burn a core.
RUNAWAY_RERAISES = 1000
RUNAWAY_PAUSE_MS = 50


def logger():
    return logs.get("context")


def rank(exc):
    """How final an interrupt is: a later one replaces a pending one only
    when it ranks higher (ABORT overrides STOP, as ISA-88 lets Abort
    escalate a Stop; cancel overrides both; a lost claim, everything)."""
    if isinstance(exc, ClaimLost):
        return 4
    if isinstance(exc, WorkflowCancelled):
        return 3
    if isinstance(exc, WorkflowAborted):
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


class Interruptible(object):
    """The pending interrupt of a RunContext and the row checks that raise one."""

    def interrupt(self, exc):
        """Makes ``exc`` pending unless a more final interrupt already is;
        returns the pending one, for the caller to raise."""
        if self.pending is None or rank(exc) > rank(self.pending):
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
                               self.pending.__class__.__name__, RUNAWAY_RERAISES,
                               RUNAWAY_PAUSE_MS)
            clock.sleepMs(RUNAWAY_PAUSE_MS)
        raise self.pending.__class__(self.pending.reason)

    def retrying(self, fn):
        """retrying() whose ClaimLost (database away too long) is sticky."""
        try:
            return retrying(fn)
        except ClaimLost as e:
            raise self.interrupt(e)

    def _row(self):
        """The run's records.Control (status, claimEpoch, cmdSeq), or None if the row is gone."""
        return self.retrying(lambda: runs.control(self.store, [self.workflowId])).get(
            self.workflowId)

    def lost(self):
        """The run's row refused a write: find out why and stop accordingly."""
        row = self._row()
        if row is None:
            raise self.interrupt(ClaimLost("run row vanished"))
        status, epoch = row.status, row.claimEpoch
        if epoch != self.epoch:
            raise self.interrupt(ClaimLost("claimed by another gateway (epoch %d, ours %d)"
                                           % (epoch, self.epoch)))
        if status == states.CANCELLED:
            raise self.interrupt(WorkflowCancelled("cancelled"))
        if status == states.STOPPED:
            raise self.interrupt(WorkflowStopped("stopped"))
        if status == states.ABORTED:
            raise self.interrupt(WorkflowAborted("aborted"))
        raise self.interrupt(ClaimLost("run is %s" % status))

    def checkRow(self):
        """Raises the matching interrupt unless the run is still ours and active."""
        row = self._row()
        if row is None or row.claimEpoch != self.epoch:
            raise self.interrupt(ClaimLost("claimed by another gateway"))
        if row.status == states.CANCELLED:
            raise self.interrupt(WorkflowCancelled("cancelled"))
        if row.status in states.FINISHED:
            raise self.interrupt(ClaimLost("run is %s" % row.status))
