"""Validating a start request and turning it into an ENQUEUED row, for both
``start`` (durable now) and ``enqueueInMemory`` (durable at the next flush)."""
from exchange.workflows.engine import clock, codec, ids, registry, states
from exchange.workflows.engine.errors import InvalidArguments, NotSerializable, WorkflowsError
from exchange.workflows.engine.validate import isInteger, isNumber


class NotRegistered(WorkflowsError):
    code = "WORKFLOW_NOT_REGISTERED"


# enqueueInMemory runs on many threads at once, and in Jython an ``x is y``
# that is false locks ``x`` for a moment: so the hot checks below never ask
# ``is None`` of a value that is usually a shared object (the workflow's
# definition, a queue-name literal) but test its type or truth first.

def _text(name, value, maxLen, required=False):
    if isinstance(value, codec.TEXT) and value.strip():
        if len(value) > maxLen:
            raise InvalidArguments("%s is longer than %d characters." % (name, maxLen))
        return value
    if value is None and not required:
        return None
    raise InvalidArguments("%s must be a non-empty string%s." % (name, "" if required else " or None"))


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
          applicationVersion, timeoutSeconds, createdBy=None):
    """Returns (workflowId, row) for runs.insert, or raises with a precise code."""
    _text("workflowName", workflowName, 200, required=True)
    wfdef = registry.get(workflowName)
    if not wfdef:
        known = registry.names()
        raise NotRegistered("Workflow %r is not registered on this gateway. Registered: %s. "
                            "Is its module imported by exchange.workflows.apps.load()?"
                            % (workflowName, ", ".join(known[:20]) or "none"))
    _text("queueName", queueName, 100, required=True)
    _text("partitionKey", partitionKey, 200)
    _text("deduplicationId", deduplicationId, 200)
    _text("applicationVersion", applicationVersion, 100)
    if not isInteger(priority):
        raise InvalidArguments("priority must be an integer (lower runs first).")
    timeoutMs = None
    if timeoutSeconds is not None:
        if not isNumber(timeoutSeconds) \
                or timeoutSeconds <= 0:
            raise InvalidArguments("timeoutSeconds must be a positive number of seconds or None.")
        timeoutMs = int(timeoutSeconds * 1000)
    kwargs = kwargsOf(inputs)
    _checkSignature(wfdef, kwargs)
    try:
        inputsJson = codec.encode(kwargs)
    except NotSerializable as e:
        raise InvalidArguments("inputs must be JSON-serialisable (strings, numbers, booleans, "
                               "None, lists, dicts): %s" % e, code="INPUTS_NOT_JSON")
    workflowId = ids.newWorkflowId()
    now = clock.nowMs()
    row = (workflowId, workflowName, states.ENQUEUED, queueName, partitionKey, int(priority),
           deduplicationId, applicationVersion, inputsJson, timeoutMs, createdBy, now, now)
    return workflowId, row
