"""The ``@workflow`` and ``@step`` decorators and the registry they fill.

The registry is module state on purpose: a project save re-executes this
module, the registry starts empty, and ``apps.load()`` (run by the startup
script) registers the new code. Runs already executing keep the function
objects they started with.
"""
import inspect
import threading
from collections import namedtuple

from exchange.workflows.core import masking
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import InvalidArguments
from exchange.workflows.engine.control import HANDLER_NAMES

_lock = threading.Lock()
_workflows = {}

STEP_DEFAULTS = {
    "retries_allowed": False,
    "max_attempts": 3,
    "interval_seconds": 1.0,
    "backoff_rate": 2.0,
}
MAX_RETRY_DELAY_SECONDS = 3600.0
# The keyword arguments of workflow() besides name and secretInputs, for
# telling a misspelled one (``onhold=``) from a free option.
_CONTROL_OPTIONS = HANDLER_NAMES + ("abortOnError", "timeoutIncludesHeld")
# How a workflow was registered: through bootstrap (ours) or through
# engine/runtime.py, 0.3.6's decorator path. Only defaults differ
# (steps/results.py, rt.recvCommand); docs/migrating-from-0.3.md.
NATIVE = "native"
UPSTREAM = "upstream"
PROFILES = (NATIVE, UPSTREAM)


class Handlers(namedtuple("Handlers", HANDLER_NAMES)):
    """The command handlers a workflow declares (docs/control.md): for each
    of onHold, onResume, onStop and onAbort, what to call, or None."""
    __slots__ = ()

    def declared(self):
        """The names of the declared handlers, in HANDLER_NAMES order."""
        return tuple(n for n, fn in zip(self._fields, self) if fn is not None)


NO_HANDLERS = Handlers(*([None] * len(HANDLER_NAMES)))


class WorkflowDef(object):
    def __init__(self, name, fn, options, secretInputs=(), handlers=None, abortOnError=True,
                 timeoutIncludesHeld=False, profile=NATIVE):
        self.name = name
        if profile not in PROFILES:
            raise InvalidArguments("Workflow %s: profile must be one of %s, not %r."
                                   % (name, ", ".join(PROFILES), profile))
        self.profile = profile
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
        self.abortOnError = _flag(name, "abortOnError", abortOnError)
        self.timeoutIncludesHeld = _flag(name, "timeoutIncludesHeld", timeoutIncludesHeld)
        self.handlers = NO_HANDLERS
        for handlerName in HANDLER_NAMES:
            handler = (handlers or {}).get(handlerName)
            if handler is not None:
                self.setHandler(handlerName, handler)

    def setHandler(self, handlerName, fn):
        """Declares one handler, wrapped like the workflow when it has
        secret inputs.

        Raises:
            InvalidArguments: unknown handler name, declared before, not a
                function, or its parameters cannot take the run's inputs.
        """
        if handlerName not in HANDLER_NAMES:
            raise InvalidArguments("Workflow %s: unknown handler %r; handlers are %s."
                                   % (self.name, handlerName, ", ".join(HANDLER_NAMES)))
        problem = _handlerProblem(self, fn)
        if problem:
            raise InvalidArguments("Workflow %s: %s handler %s." % (self.name, handlerName, problem))
        wrapped = _declaringSecrets(fn, self.secretInputs) if self.secretInputs else fn
        with _lock:
            if getattr(self.handlers, handlerName) is not None:
                raise InvalidArguments("Workflow %s: %s is declared twice; declare each handler "
                                       "once." % (self.name, handlerName))
            self.handlers = self.handlers._replace(**{handlerName: wrapped})


def _flag(name, option, value):
    if not isinstance(value, bool):
        raise InvalidArguments("Workflow %s: %s must be True or False, not %r."
                               % (name, option, value))
    return value


def _handlerProblem(wdef, fn):
    """Why ``fn`` cannot be called with a run's inputs as keyword arguments
    (as the workflow function is), or None. Checked when the module loads,
    so a wrong signature fails the load, not the first HOLD on the plant."""
    if not callable(fn):
        return "is not a function: %r" % (fn,)
    try:
        args, varkw, defaults = _argspec(fn)
    except (TypeError, ValueError):
        return "%r has parameters that cannot be read; declare it with def" % (fn,)
    if getattr(fn, "__self__", None) is not None and args:
        args = args[1:]  # a bound method: self is already given
    if varkw is None:
        if wdef.argNames is None:
            return "must take **kwargs: the workflow accepts any input"
        missing = sorted(wdef.argNames - frozenset(args))
        if missing:
            return "does not take the input(s) %s: add them, or **kwargs" % ", ".join(missing)
    required = args[:len(args) - len(defaults or ())]
    optional = [a for a in required if a not in wdef.requiredArgs]
    if optional:
        return "requires %s, which a run may not have: give it a default" % ", ".join(optional)
    return None


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


def workflow(fn=None, name=None, secretInputs=None, onHold=None, onResume=None, onStop=None,
             onAbort=None, abortOnError=True, timeoutIncludesHeld=False, profile=NATIVE,
             **options):
    """Registers a workflow function: ``@workflow(name="area.task")`` or ``@workflow``.

    Args:
        name: the registered name used by start(); defaults to module.function.
        secretInputs: names of inputs that hold secrets (a password, a token).
            The function receives them unchanged; getWorkflow, listRuns, the
            console and logs show ``***`` instead of their values, also where
            a value turns up in an error, a progress message or a step's
            output. They are stored with the run (a recovered run needs
            them): protect the database itself.
        onHold, onResume, onStop, onAbort: command handlers (docs/control.md):
            functions called with the run's inputs as keyword arguments,
            like the workflow function. Also declared with decorators after
            the workflow: ``@mix_batch.onHold`` above ``def close_valves``.
        abortOnError: False: a run that raises or times out ends ERROR
            without onAbort.
        timeoutIncludesHeld: True: the timeout also counts time held.
        profile: "native", or "upstream" for 0.3.6-style defaults (set by
            engine/runtime.workflow).
        options: reserved for per-workflow settings (e.g. maxRecoveryAttempts).

    Raises:
        InvalidArguments: secretInputs is not a list of the function's
            parameter names; a handler whose parameters cannot take the
            workflow's inputs, or declared twice; abortOnError or
            timeoutIncludesHeld not True/False; a misspelled handler or
            option name (``onhold``).
    """
    for key in options:
        spelled = [known for known in _CONTROL_OPTIONS if known.lower() == key.lower()]
        if spelled:
            raise InvalidArguments("Unknown workflow option %r; did you mean %r?" % (key, spelled[0]))
    handlers = {"onHold": onHold, "onResume": onResume, "onStop": onStop, "onAbort": onAbort}

    def register(f):
        wname = name or _qualified(f)
        wdef = WorkflowDef(wname, f, options, secretInputs, handlers, abortOnError,
                           timeoutIncludesHeld, profile)
        with _lock:
            _workflows[wname] = wdef
        f.workflowName = wname
        for handlerName in HANDLER_NAMES:
            setattr(f, handlerName, _handlerDecorator(wdef, handlerName))
        return f
    if fn is not None and callable(fn):
        return register(fn)
    return register


def _handlerDecorator(wdef, handlerName):
    """``@workflowFunction.onHold``: declares the decorated function as the
    workflow's onHold handler and returns it unchanged."""
    def declare(fn):
        try:
            wdef.setHandler(handlerName, fn)
        except InvalidArguments:
            # The module's load fails with this error; the workflow must not
            # stay registered (and claim runs) without a handler it declares.
            with _lock:
                if _workflows.get(wdef.name) is wdef:
                    del _workflows[wdef.name]
            raise
        return fn
    declare.__name__ = handlerName
    return declare


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
