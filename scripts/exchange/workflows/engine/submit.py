"""Validating a start request and turning it into an ENQUEUED row, for both
``start`` (durable now) and ``enqueueInMemory`` (durable at the next flush),
and the durable start itself: a direct start on a free worker, else a
queued row, with deduplication and caller-chosen ids resolved."""
from exchange.workflows.core import clock, codec, states
from exchange.workflows.engine import dispatcher, ids, kernel, registry
from exchange.workflows.core.errors import (InvalidArguments, NotSerializable, TooLarge,
                                              WorkflowsError)
from exchange.workflows.core.validate import isInteger, number
from exchange.workflows.core.validate import text as _text
from exchange.workflows.core.validate import workflowId as _workflowId
from exchange.workflows.store import params, runs

# The run table's INTEGER column, and the longest timeout a BIGINT of
# milliseconds holds with room to add it to a clock (about 100 years).
PRIORITY_RANGE = (-2147483648, 2147483647)
MAX_TIMEOUT_SECONDS = 100 * 365 * 24 * 3600.0


class NotRegistered(WorkflowsError):
    code = "WORKFLOW_NOT_REGISTERED"


class IdConflict(WorkflowsError):
    code = "WORKFLOW_ID_CONFLICT"


class Started(object):
    """The outcome of a durable start: ``code`` is WORKFLOW_ENQUEUED (a new
    run), WORKFLOW_ALREADY_STARTED (the caller's workflowId exists: nothing
    was created) or WORKFLOW_DEDUPLICATED (another active run holds the
    deduplication id)."""
    __slots__ = ("code", "workflowId", "status")

    def __init__(self, code, workflowId, status):
        self.code = code
        self.workflowId = workflowId
        self.status = status


# enqueueInMemory runs on many threads at once, and in Jython an ``x is y``
# that is false locks ``x`` for a moment: so the hot checks below never ask
# ``is None`` of a value that is usually a shared object (the workflow's
# definition, a queue-name literal) but test its type or truth first.

def kwargsOf(inputs):
    """Returns the workflow's keyword arguments from ``inputs``.

    ``{"resolved": {...}}`` gives the inner dict; any other dict is taken as
    the keyword arguments themselves; None means no arguments.
    """
    if not hasattr(inputs, "keys"):
        if inputs is None:
            return {}
        raise InvalidArguments("inputs must be a dict of keyword arguments (or {'resolved': {...}}), "
                               "not %s." % type(inputs).__name__)
    if "resolved" in inputs:
        inputs = inputs["resolved"]
        if not hasattr(inputs, "keys"):
            if inputs is None:
                return {}
            raise InvalidArguments("inputs['resolved'] must be a dict of keyword arguments.")
    kwargs = {}
    for key in inputs.keys():
        if not isinstance(key, codec.TEXT):
            raise InvalidArguments("input names must be strings; got %r." % (key,))
        kwargs[key] = inputs[key]
    return kwargs


# A run's parameter source is a small record (template, version, override
# names, actor), never the values.
MAX_PARAM_SOURCE_CHARS = 20000


def paramSourceOf(inputs):
    """Returns the JSON text of ``inputs["paramSource"]`` when ``inputs`` is
    ``{"resolved": ..., "paramSource": {...}}`` (what api.params.startWithTemplate
    and 0.3.6's resolveInputs build), else None.

    Raises:
        InvalidArguments: paramSource is not a dict, or is too large.
    """
    if not hasattr(inputs, "keys") or "resolved" not in inputs or "paramSource" not in inputs:
        return None
    source = inputs["paramSource"]
    if source is None:
        return None
    if not hasattr(source, "keys"):
        raise InvalidArguments("inputs['paramSource'] must be a dict (which template a run "
                               "started from) or None.")
    try:
        return codec.encodeLimited(source, MAX_PARAM_SOURCE_CHARS, 10, "inputs['paramSource']")
    except NotSerializable as e:
        raise InvalidArguments("%s." % e)


def _checkSignature(wfdef, kwargs):
    argNames = wfdef.argNames  # None when the function takes **kwargs
    if isinstance(argNames, frozenset):
        unknown = [k for k in kwargs if k not in argNames]
        if unknown:
            raise InvalidArguments("Workflow %s takes no input named %s; it accepts: %s." % (
                wfdef.name, ", ".join(sorted(unknown)), ", ".join(sorted(argNames)) or "nothing"))
    missing = [a for a in wfdef.requiredArgs if a not in kwargs]
    if missing:
        raise InvalidArguments("Workflow %s needs the input(s) %s." % (wfdef.name, ", ".join(missing)))


def build(workflowName, inputs, queueName, partitionKey, priority, deduplicationId,
          applicationVersion, timeoutSeconds, createdBy=None, workflowId=None):
    """Returns (workflowId, row) for runs.insert, or raises with a precise code.

    Everything the database would refuse is refused here (lengths, integer
    ranges, JSON size and depth), so a request accepted in memory cannot
    fail at flush time for its own values.
    """
    _text("workflowName", workflowName, 200, required=True)
    wfdef = registry.get(workflowName)
    if not wfdef:
        known = registry.names()
        raise NotRegistered("Workflow %r is not registered on this gateway. Registered: %s. "
                            "Is its module listed in MODULES of the exchange/workflows/apps/__init__ script?"
                            % (workflowName, ", ".join(known[:20]) or "none"))
    _text("queueName", queueName, 100, required=True)
    _text("partitionKey", partitionKey, 200)
    _text("deduplicationId", deduplicationId, 200)
    _text("applicationVersion", applicationVersion, 100)
    _text("user", createdBy, 200)
    if not isInteger(priority) or not PRIORITY_RANGE[0] <= priority <= PRIORITY_RANGE[1]:
        raise InvalidArguments("priority must be an integer from %d to %d (lower runs first)."
                               % PRIORITY_RANGE)
    timeoutMs = None
    if timeoutSeconds is not None:
        timeoutMs = int(number("timeoutSeconds", timeoutSeconds, 0.001, MAX_TIMEOUT_SECONDS) * 1000)
    kwargs = kwargsOf(inputs)
    _checkSignature(wfdef, kwargs)
    try:
        inputsJson = codec.encodeLimited(kwargs, int(kernel.config("maxInputBytes")),
                                         int(kernel.config("maxJsonDepth")), "inputs")
    except TooLarge as e:
        raise InvalidArguments("%s; pass large data by reference (a file path, a row id)." % e,
                               code="INPUTS_TOO_LARGE")
    except NotSerializable as e:
        raise InvalidArguments("inputs must be JSON-serialisable (strings, numbers, booleans, "
                               "None, lists, dicts): %s" % e, code="INPUTS_NOT_JSON")
    if workflowId:
        workflowId = _workflowId("workflowId", workflowId)
    elif workflowId is not None:
        raise InvalidArguments("workflowId must be a non-empty id string or None.")
    else:
        workflowId = ids.newWorkflowId()
    now = clock.nowMs()
    row = (workflowId, workflowName, states.ENQUEUED, queueName, partitionKey, int(priority),
           deduplicationId, applicationVersion, inputsJson, timeoutMs, createdBy, now, now)
    return workflowId, row


def start(store, row, callerChosenId, paramSource=None):
    """Makes the run of ``row`` durable: started here on a free worker, or
    queued. Returns a Started.

    A caller-chosen id that exists already is answered with that run and
    creates nothing: retrying a start whose answer was lost is safe.
    ``paramSource`` (JSON text from paramSourceOf) is recorded with the run
    in the transaction that inserts it, so a run never lacks the template
    it started from; such a run is queued, not started directly.

    Raises:
        IdConflict: the id belongs to a run of another workflow.
    """
    wid, workflowName, queueName, dedup = row[0], row[1], row[3], row[6]
    if callerChosenId:
        found = _existing(store, wid, workflowName)
        if found is not None:
            return found
    if paramSource is None and dispatcher.startHere(store, row, registry.get(workflowName)):
        return Started("WORKFLOW_ENQUEUED", wid, states.RUNNING)
    for _ in range(3):
        if _insert(store, row, paramSource) == 1:
            dispatcher.wake(store.dbName, queueName)
            return Started("WORKFLOW_ENQUEUED", wid, states.ENQUEUED)
        # Nothing inserted: the id exists (a concurrent start with the same
        # caller-chosen id), or the deduplication id is held by an active run.
        found = _existing(store, wid, workflowName)
        if found is not None:
            return found
        if dedup:
            holder = runs.activeByDeduplication(store, queueName, dedup)
            if holder:
                return Started("WORKFLOW_DEDUPLICATED", holder, None)
    raise WorkflowsError("Could not insert the run; try again.")


def _insert(store, row, paramSource):
    if paramSource is None:
        return runs.insert(store, [row])
    with store.transaction() as tx:
        inserted = runs.insert(store, [row], tx)
        if inserted == 1:
            params.recordSource(store, row[0], paramSource, tx)
        return inserted


def _existing(store, workflowId, workflowName):
    row = runs.get(store, workflowId)
    if row is None:
        return None
    if row["workflowName"] != workflowName:
        raise IdConflict("workflowId %r is already used by a run of another workflow; choose "
                         "another id." % workflowId)
    return Started("WORKFLOW_ALREADY_STARTED", workflowId, row["status"])
