"""The ``@workflow`` and ``@step`` decorators and the registry they fill.

The registry is module state on purpose: a project save re-executes this
module, the registry starts empty, and ``apps.load()`` (run by the startup
script) registers the new code. Runs already executing keep the function
objects they started with.
"""
import inspect
import threading

from exchange.workflows.core import masking
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import InvalidArguments

_lock = threading.Lock()
_workflows = {}

STEP_DEFAULTS = {
    "retries_allowed": False,
    "max_attempts": 3,
    "interval_seconds": 1.0,
    "backoff_rate": 2.0,
}
MAX_RETRY_DELAY_SECONDS = 3600.0


class WorkflowDef(object):
    def __init__(self, name, fn, options, secretInputs=()):
        self.name = name
        self.options = options
        self.module = getattr(fn, "__module__", None)
        # Read once here: start() checks inputs against it on every call.
        try:
            args, varkw, defaults = _argspec(fn)
            self.argNames = frozenset(args) if varkw is None else None
            self.requiredArgs = tuple(args[:len(args) - len(defaults or ())])
        except (TypeError, ValueError):
            self.argNames, self.requiredArgs = None, ()
        self.secretInputs = _secretNames(name, secretInputs, self.argNames)
        # What the executor calls: the function itself, or, for a workflow
        # with secret inputs, a wrapper that first tells the run's context
        # which values to mask in whatever error it records or logs.
        self.fn = _declaringSecrets(fn, self.secretInputs) if self.secretInputs else fn


def _secretNames(name, secretInputs, argNames):
    if secretInputs is None:
        return frozenset()
    if isinstance(secretInputs, TEXT) or not isinstance(secretInputs, (list, tuple, set, frozenset)):
        raise InvalidArguments("Workflow %s: secretInputs must be a list of input names, e.g. "
                               "[\"password\"]." % name)
    names = frozenset(secretInputs)
    for secret in names:
        if not isinstance(secret, TEXT) or not secret:
            raise InvalidArguments("Workflow %s: secretInputs must hold input names (strings)." % name)
        if argNames is not None and secret not in argNames:
            raise InvalidArguments("Workflow %s: secret input %r is not a parameter of the function."
                                   % (name, secret))
    return names


def _declaringSecrets(fn, names):
    def withSecrets(**kwargs):
        from exchange.workflows.engine.context import current
        ctx = current()
        if ctx is not None:
            ctx.secretValues = masking.secretTexts(kwargs, names)
        return fn(**kwargs)
    return withSecrets


def _argspec(fn):
    """(args, **kwargs name, defaults) on Jython 2.7 and on CPython 3."""
    full = getattr(inspect, "getfullargspec", None)
    if full is not None:
        spec = full(fn)
        return spec.args, spec.varkw, spec.defaults
    spec = inspect.getargspec(fn)
    return spec.args, spec.keywords, spec.defaults


def _qualified(fn):
    return "%s.%s" % (getattr(fn, "__module__", "?"), fn.__name__)


def stepOptions(options):
    """Returns complete, validated retry options for a step."""
    opts = dict(STEP_DEFAULTS)
    for key, value in (options or {}).items():
        if key not in STEP_DEFAULTS:
            raise InvalidArguments("Unknown step option %r; known options: %s"
                                   % (key, ", ".join(sorted(STEP_DEFAULTS))))
        opts[key] = value
    if int(opts["max_attempts"]) < 1:
        raise InvalidArguments("max_attempts must be at least 1")
    if float(opts["interval_seconds"]) < 0 or float(opts["backoff_rate"]) < 1:
        raise InvalidArguments("interval_seconds must be >= 0 and backoff_rate >= 1")
    return opts


def workflow(fn=None, name=None, secretInputs=None, **options):
    """Registers a workflow function: ``@workflow(name="area.task")`` or ``@workflow``.

    Args:
        name: the registered name used by start(); defaults to module.function.
        secretInputs: names of inputs that hold secrets (a password, a token).
            The function receives them unchanged; getWorkflow, listRuns, the
            console and logs show ``***`` instead of their values, also where
            a value turns up in an error, a progress message or a step's
            output. They are stored with the run (a recovered run needs
            them): protect the database itself.
        options: reserved for per-workflow settings (e.g. maxRecoveryAttempts).

    Raises:
        InvalidArguments: secretInputs is not a list of the function's
            parameter names.
    """
    def register(f):
        wname = name or _qualified(f)
        wdef = WorkflowDef(wname, f, options, secretInputs)
        with _lock:
            _workflows[wname] = wdef
        f.workflowName = wname
        return f
    if fn is not None and callable(fn):
        return register(fn)
    return register


def step(fn=None, name=None, options=None):
    """Makes a function a durable step: ``@step(name=..., options={...})`` or ``@step``.

    Inside a workflow each call is checkpointed; after a crash a finished
    step returns its recorded result without running again. Outside a
    workflow the function simply runs.
    """
    def wrap(f):
        from exchange.workflows.engine import stepper
        return stepper.durable(f, name or _qualified(f), stepOptions(options))
    if fn is not None and callable(fn):
        return wrap(fn)
    return wrap


def get(name):
    """Returns the WorkflowDef registered under ``name``, or None."""
    return _workflows.get(name)


def names():
    return sorted(_workflows.keys())


def unregister(name):
    with _lock:
        _workflows.pop(name, None)
