"""``getWorkflows()``: the runtime handle workflow code calls as ``rt``.

    rt = getWorkflows()
    rt.checkCancelled()
    rt.progress("loop 3/10")

Every call acts on the run executing on the calling thread. Outside a
workflow (Script Console, tests) the calls are harmless no-ops, except
``recvCommand``/``recv``, which return None, ``ask``, which returns its
default, and ``send``, which posts to the database the handle was got for
(``getWorkflows(dbName)``).
Inside a step, events, streams, progress and sends are part of the step
(written again if the step runs again); see engine/operations.py.

Once the run was sent STOP, cancelled, timed out or lost by this gateway,
every call here raises that interrupt again (see engine/interrupts.py), even
if the workflow caught it before: nothing is written after it.
"""
from collections import namedtuple

from exchange.workflows.core import codec, states, validate
from exchange.workflows.engine import context, database, operations
from exchange.workflows.core.errors import InvalidArguments
# 0.3.6's handle also enqueues, dispatches and enters maintenance; those
# methods are calls of the api functions (one copy of validation, policy
# and audit), so this module imports api upward: allowed for it alone (it
# is a 0.3.6 facade, COMPAT in tests/unit/test_layers.py). No module of the
# layers imports this one, so the arrow cannot close an import cycle; the
# import is at the top because the class needs it as its base.
from exchange.workflows.api.runtime import GatewayMethods


class RunInfo(namedtuple("RunInfo", "workflowId workflowName dbName deadlineEpochMs")):
    """What ``WorkflowsRuntime.getCurrentContext()`` tells about the run on
    this thread: 0.3.6's context, read-only, without its ``inputs`` (a
    workflow has them as its arguments)."""
    __slots__ = ()


class WorkflowsRuntime(GatewayMethods):
    """The methods workflow code may call; see docs/steps.md and docs/service-api.md.
    Gateway scripts also get 0.3.6's admin-style methods (api/runtime.py)."""

    def __init__(self, dbName=None):
        # Where calls made outside a run go (a run's own calls use its database).
        self.dbName = dbName

    @classmethod
    def getCurrentRuntime(cls):
        """0.3.6's way to get the handle: the one of the run executing on this
        thread (bound to its database), or None outside a run."""
        ctx = context.current()
        return None if ctx is None else getWorkflows(ctx.dbName)

    @classmethod
    def getCurrentContext(cls):
        """A RunInfo of the run executing on this thread, or None outside a run."""
        ctx = context.current()
        if ctx is None:
            return None
        return RunInfo(ctx.workflowId, ctx.workflowName, ctx.dbName, ctx.deadlineMs)

    @property
    def workflowId(self):
        """The id of the run on this thread, or None."""
        ctx = context.current()
        return ctx.workflowId if ctx else None

    @property
    def transition(self):
        """Inside a command handler, why it runs: {handler, fromStatus,
        command, sender, reason, cause, seq}; None outside one."""
        ctx = context.current()
        t = ctx.handling if ctx else None
        if t is None:
            return None
        return {"handler": t.handler, "fromStatus": t.fromStatus, "command": t.command,
                "sender": t.sender, "reason": t.reason, "cause": t.cause, "seq": t.seq}

    def checkCancelled(self):
        """A safe point: applies a pending HOLD (parks here), STOP, cancel or
        timeout, inside a step too (a step's loop can be cancelled there).
        Raises an interrupt the workflow should not catch."""
        ctx = context.current()
        if ctx is not None:
            ctx.safePoint(insideStep=ctx.inStep)

    def isCancelled(self):
        """True when the run on this thread was cancelled, stopped, timed
        out or lost; False outside a workflow. Never raises."""
        ctx = context.current()
        return ctx is not None and ctx.isCancelled()

    def checkTimeout(self):
        """Past the run's timeout: ends it ERROR and raises WorkflowTimedOut
        (inside a step too). Does nothing outside a workflow."""
        ctx = context.current()
        if ctx is not None:
            ctx.checkTimeout()

    def send(self, destinationWorkflowId, message, topic=states.COMMAND_TOPIC,
             messageUUID=None):
        """Posts ``message`` (JSON) to the mailbox of run
        ``destinationWorkflowId`` under ``topic``, where its ``rt.recv(topic)``
        receives it. Returns True, or False when that run is not active.

        In the workflow body the send is recorded with the post: exactly
        once, even across a crash. Inside a step it is part of the step (at
        least once). Outside a workflow it posts to ``getWorkflows(dbName)``'s
        database. ``messageUUID`` is accepted for 0.3.6 code and not needed:
        the operation record already keeps a send from happening twice.

        Raises:
            InvalidArguments: an empty id or topic; on topic "cmd", a message
                that is not a dict with a known ``cmd``.
            TooLarge: as ``setEvent``; nothing is sent.
        """
        topic = _key(topic)
        if not destinationWorkflowId:
            raise InvalidArguments("destinationWorkflowId must be a workflow id")
        if topic == states.COMMAND_TOPIC and (
                not isinstance(message, dict) or message.get("cmd") not in states.COMMANDS):
            raise InvalidArguments("a message on topic %r must be a dict whose 'cmd' is one "
                                   "of %s" % (topic, ", ".join(states.COMMANDS)))
        ctx = context.current()
        if ctx is not None:
            return ctx.send(destinationWorkflowId, message, topic)
        store = database.prepare(validate.dbNameOrDefault(self.dbName))
        return operations.postNow(store, destinationWorkflowId, topic, codec.encode(message),
                                  None)

    def recv(self, topic=states.COMMAND_TOPIC, timeoutSeconds=0):
        """Returns the oldest message sent to this run under ``topic`` (what
        ``send`` posted; a dict also gets its mailbox ``seq``), waiting up to
        ``timeoutSeconds``; None when none came. Recorded with the receive:
        exactly once, and a replay returns the same message. Outside a
        workflow it returns None.

        Raises:
            DeterminismError: called inside a step.
        """
        ctx = context.current()
        if ctx is None:
            return None
        return ctx.recv(_key(topic), timeoutSeconds or 0)

    def ask(self, key, prompt, choices=None, default=None, timeoutSeconds=None):
        """Asks the operators ``prompt`` and waits for an answer
        (``service.respond(workflowId, key, value)``); returns the value.

        ``choices`` (a list of JSON values) limits the answers, one console
        button each; ``default`` (one of the choices, if any) is returned
        when ``timeoutSeconds`` pass without an answer (time HELD does not
        count). The answer is recorded with who gave it, so a replay after
        a crash returns it without asking again. HOLD, STOP, ABORT, cancel
        and the run's timeout apply while it waits. Outside a workflow it
        returns ``default``.

        Raises:
            PromptTimedOut: no answer in time and no default (catchable).
            InvalidArguments: bad arguments.
            DeterminismError: called inside a step.
        """
        ctx = context.current()
        if ctx is None:
            return default
        return ctx.ask(_key(key), prompt, choices, default, timeoutSeconds)

    def startChild(self, workflowName, inputs=None, queueName=None, partitionKey=None,
                   priority=0, timeoutSeconds=None, propagate=True):
        """Starts a child run of ``workflowName`` durably; returns its run id.

        A replay returns the same id and starts nothing: a child is started
        exactly once. It runs on any gateway, in ``queueName`` (default
        "default"); several children run in parallel up to that queue's
        limits. With ``propagate`` (default) the parent's HOLD, RESUME,
        STOP, ABORT and cancel reach the child too. getWorkflow shows a
        run's parent and children.

        Raises:
            InvalidArguments / WORKFLOW_NOT_REGISTERED errors as start();
            DeterminismError: called inside a step.
        """
        ctx = _workflowContext("rt.startChild")
        return ctx.startChild(workflowName, inputs, queueName, partitionKey, priority,
                              timeoutSeconds, propagate)

    def awaitChild(self, childId, timeoutSeconds=None):
        """Waits for the child run to end; returns its output.

        Raises:
            ChildFailed: it ended ERROR, CANCELLED, STOPPED, ABORTED or
                DEAD_LETTER (``e.status``, ``e.error``; catchable).
            ChildTimedOut: ``timeoutSeconds`` passed (time HELD not counted).
        The outcome is recorded: a replay returns or raises the same.
        """
        return _workflowContext("rt.awaitChild").awaitChildren(childId, "one", timeoutSeconds)

    def awaitAll(self, childIds, timeoutSeconds=None):
        """Waits for every child run to end; returns their outputs in the
        order of ``childIds``. Raises ChildFailed for the first (in that
        order) that did not succeed, once all have ended; ChildTimedOut."""
        return _workflowContext("rt.awaitAll").awaitChildren(childIds, "all", timeoutSeconds)

    def awaitAny(self, childIds, timeoutSeconds=None):
        """Waits for the first of the child runs to end; returns
        ``{"childId", "output"}``, or raises ChildFailed if that one did not
        succeed; ChildTimedOut."""
        return _workflowContext("rt.awaitAny").awaitChildren(childIds, "any", timeoutSeconds)

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
        """Appends ``value`` (JSON) to the run's stream ``key``; returns its
        offset (None outside a workflow). Values written inside one step
        share the step's offset, in order of their ``subOffset``.

        Raises:
            TooLarge: as ``setEvent``; nothing is appended.
        """
        ctx = context.current()
        if ctx is not None:
            return ctx.writeStream(_key(key), value)

    def recvCommand(self, currentState=None, topic=states.COMMAND_TOPIC, timeoutSeconds=0,
                    maxMessages=5, arbitrate=None):
        """Returns the next operator command, or None after ``timeoutSeconds``.

        Native (the default of ``bootstrap`` workflows): the command as a
        dict (``cmd``, ``reason``, ``sender``, ``sentMs``, ``seq``), one per
        call, oldest first, none dropped; ``currentState`` is None, RUNNING
        or HELD; ``maxMessages`` is not used.
        Arbitrated (``arbitrate=True``, the default of workflows registered
        through engine.runtime): 0.3.6's ``{cmd, message, priority}``, the
        highest-priority command of up to ``maxMessages`` that is allowed in
        ``currentState``; refused ones are marked ``dropped`` in getCommands,
        allowed ones that lost stay for the next call.
        ``currentState="HELD"`` shows the run as HELD while it waits; a run
        that calls this handles HOLD/RESUME/STOP itself from then on.
        See docs/service-api.md "Operator commands".
        """
        ctx = context.current()
        if ctx is None:
            return None
        return ctx.recvCommand(currentState, _key(topic), timeoutSeconds or 0, maxMessages,
                               arbitrate)


def _workflowContext(what):
    ctx = context.current()
    if ctx is None:
        raise InvalidArguments("%s is called in a running workflow's body." % what)
    return ctx


def _key(key):
    if not key or len(key) > 200:
        raise InvalidArguments("keys and topics must be non-empty strings of at most 200 characters")
    return key


_runtime = WorkflowsRuntime()


def getWorkflows(dbName=None):
    """Returns the runtime handle (``rt``) for workflow code; ``dbName``
    (default: the default database) is where its calls made outside a run go."""
    return _runtime if dbName is None else WorkflowsRuntime(dbName)
