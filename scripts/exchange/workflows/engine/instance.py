"""``getWorkflows()``: the runtime handle workflow code calls as ``rt``.

    rt = getWorkflows()
    rt.checkCancelled()
    rt.progress("loop 3/10")

Every call acts on the run executing on the calling thread. Outside a
workflow (Script Console, tests) the calls are harmless no-ops, except
``recvCommand``, which returns None.

Once the run was sent STOP, cancelled, timed out or lost by this gateway,
every call here raises that interrupt again (see engine/context.py), even
if the workflow caught it before: nothing is written after it.
"""
from exchange.workflows.core import states
from exchange.workflows.engine import context
from exchange.workflows.core.errors import InvalidArguments


class WorkflowsRuntime(object):
    """The methods workflow code may call; see docs/steps.md and docs/service-api.md."""

    @property
    def workflowId(self):
        """The id of the run on this thread, or None."""
        ctx = context.current()
        return ctx.workflowId if ctx else None

    def checkCancelled(self):
        """A safe point: applies a pending HOLD (parks here), STOP, cancel or
        timeout. Raises an interrupt the workflow should not catch."""
        ctx = context.current()
        if ctx is not None:
            ctx.safePoint()

    def progress(self, msg, extra=None):
        """Sets the run's latest progress message (shown by getWorkflow/listRuns).

        A text message longer than 1000 characters is cut (ending "...");
        ``msg`` and ``extra`` together over 16000 bytes of JSON raise
        TooLarge and leave the previous progress in place.
        """
        ctx = context.current()
        if ctx is not None:
            ctx.progress(msg, extra)

    def setEvent(self, key, value):
        """Publishes ``value`` (JSON) under ``key``; readers see the latest value.

        Raises:
            TooLarge: the value's JSON is over the ``maxValueBytes`` limit
                (256000 by default) or nested deeper than ``maxJsonDepth``
                (100); nothing is written.
        """
        ctx = context.current()
        if ctx is not None:
            ctx.setEvent(_key(key), value)

    def writeStream(self, key, value):
        """Appends ``value`` (JSON) to the run's stream ``key``.

        Raises:
            TooLarge: as ``setEvent``; nothing is appended.
        """
        ctx = context.current()
        if ctx is not None:
            ctx.writeStream(_key(key), value)

    def recvCommand(self, currentState=None, topic=states.COMMAND_TOPIC, timeoutSeconds=0,
                    maxMessages=1):
        """Returns the next operator command as a dict (``cmd``, ``reason``,
        ``sender``, ``sentMs``, ``seq``) or None after ``timeoutSeconds``.

        Commands are returned one per call, oldest first; none is dropped
        (``maxMessages`` is accepted for compatibility and must be >= 1).
        ``currentState="HELD"`` shows the run as HELD while it waits; a run
        that calls this handles HOLD/RESUME/STOP itself from then on.
        """
        if currentState not in (None, states.RUNNING, states.HELD):
            raise InvalidArguments("currentState must be 'RUNNING', 'HELD' or None")
        if maxMessages is not None and int(maxMessages) < 1:
            raise InvalidArguments("maxMessages must be at least 1")
        ctx = context.current()
        if ctx is None:
            return None
        return ctx.recvCommand(currentState, _key(topic), timeoutSeconds or 0)


def _key(key):
    if not key or len(key) > 200:
        raise InvalidArguments("keys and topics must be non-empty strings of at most 200 characters")
    return key


_runtime = WorkflowsRuntime()


def getWorkflows():
    """Returns the runtime handle (``rt``) for workflow code."""
    return _runtime
