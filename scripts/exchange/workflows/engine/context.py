"""The state of one executing run, and how to find it: ``current()`` returns
the RunContext of the calling thread (None outside a workflow).

A RunContext is assembled from one module per concern, each stating its
invariants:
    interrupts.py  the sticky interrupt, database retries, the row checks
    replay.py      the recorded history and the operation cursor (begin/record)
    safepoints.py  safe points and the command protocol (HOLD/RESUME/STOP,
                   timeouts, parking), sleeping through safe points, and
                   releasing the thread while waiting (``release``)
    transitions.py the command handlers (onHold, onResume, onStop, onAbort)
    operations.py  the ``rt.*`` calls (progress, events, streams, recvCommand)
The durable sleep operation is in sleeping.py; steps run through stepper.py.

Interrupts are sticky: the first STOP, cancel, timeout or lost claim becomes
the context's ``pending`` interrupt, and every later safe point, operation,
record and ``rt.*`` call raises it again (interrupts.py).
"""
from exchange.workflows.core import states
from exchange.workflows.engine import kernel
from exchange.workflows.engine.interrupts import Interruptible
from exchange.workflows.engine.operations import Operations
from exchange.workflows.engine.replay import Cursor, Replay
from exchange.workflows.engine.safepoints import UNREAD, SafePoints
from exchange.workflows.engine.transitions import Transitions


# Statuses a claimed run starts in as they are (any other, PENDING, shows
# RUNNING once the run executes): held, or with a handler to resume.
_KEPT_VISIBLE = (states.HELD,) + states.HANDLING


def current():
    """Returns the RunContext of the calling thread, or None outside a workflow."""
    return kernel.get()["context"].get()


class RunContext(SafePoints, Transitions, Replay, Interruptible, Operations):
    """One executing run."""

    def __init__(self, store, row, history, executorId, board):
        self.store = store
        self.dbName = store.dbName
        self.workflowId = row.workflowId
        self.workflowName = row.workflowName
        self.queueName = row.queueName
        self.epoch = row.claimEpoch
        self.deadlineMs = row.deadlineMs
        # The workflow's timeoutIncludesHeld (set by the executor): False,
        # the default, stops the deadline's clock while the run is HELD.
        self.timeoutIncludesHeld = False
        self.executorId = executorId
        # Where the workflow body is in its recorded history (replay.py).
        self.cursor = Cursor(history)
        self.inStep = False
        # The operation id of the step running now, and how many writes it
        # made in this attempt, per numbering (operations.py).
        self.stepId = None
        self.stepWrites = {}
        self.selfCommanded = False
        self.stopReceived = False
        # The workflow (its handlers, abortOnError) and the run's inputs as
        # keyword arguments: set by the executor before anything runs.
        self.wfdef = None
        self.inputs = {}
        # The open transition whose handler runs now (transitions.py), and
        # the ABORT that abandons a running onStop.
        self.handling = None
        self.escalation = None
        self.visible = row.status if row.status in _KEPT_VISIBLE else states.RUNNING
        # True from a HOLD taken until its RESUME: a park that raised (and
        # was swallowed) parks again at the next safe point.
        self.mustPark = row.status == states.HELD
        # A run that comes back HELD (woken, recovered) was held since its
        # row's held_since_ms: its first park counts from there (park).
        self.heldFromRow = row.status == states.HELD
        # Waits that hold no thread (safepoints.release): the enclosing
        # wait's {fid, untilMs}, written with a release; and, for a run that
        # may have released before (it started earlier), its last wait's
        # detail, read once when a wait asks (safepoints.wokenUntil).
        self.waitNote = None
        self.mayHaveWaited = not row.fresh and row.startedMs is not None
        self.wokenNote = UNREAD
        # True while the outermost step is a tag wait called in the workflow
        # body (steps/wait.py), which may release the thread (sleeping.TagWait).
        self.bodyWait = False
        self.recovered = bool(row.recoveryAttempts)
        self.board = board
        # Values of the run's secret inputs, masked in errors it records
        # (set by the registry's wrapper; see core/masking.py).
        self.secretValues = ()
        # -1 forces one look at the mailbox when commands were sent before we
        # started. Else the board's value at registration (kernel.addRun: 0):
        # a bump since then signals a command sent after ``row`` was read,
        # which a HOLD sent just after a direct start must not go unseen by.
        self.seen = -1 if row.cmdSeq else 0
        self.mailSeen = -1
        # The sticky interrupt (interrupts.py) and how often it was re-raised.
        self.pending = None
        self.reraised = 0
        self.controlFailures = 0
        # Read once per run: a limit changed meanwhile applies to later runs.
        self.maxOutputBytes = int(kernel.config("maxOutputBytes"))
        self.maxValueBytes = int(kernel.config("maxValueBytes"))
        self.maxDepth = int(kernel.config("maxJsonDepth"))
