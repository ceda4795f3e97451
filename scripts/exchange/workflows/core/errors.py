"""Exceptions of the engine, and how errors become JSON records and back.

Java exceptions do not derive from Python's Exception in Jython 2.7, so
``except Exception`` misses a SQLException raised by ``system.db``. Code that
must catch everything uses ``except ANY_ERROR``.

What leaves the engine as an error text -- an answer's message, a stored
error, a log line -- is the root cause only: ``describe()``, ``toRecord()``
and ``safeTrace()`` drop the SQL and arguments Ignition repeats in its
exception messages and the values PostgreSQL echoes, mask the secret inputs
of the run executing on the thread, and list traceback frames without their
source lines (unless the ``storeTracebackSource`` setting asks for them).
"""
import re
import sys
import traceback

from exchange.workflows.core import masking

try:  # Jython: Java exceptions are a separate hierarchy.
    from java.lang import Throwable as JavaThrowable
except ImportError:  # CPython, for unit tests of pure logic.
    class JavaThrowable(Exception):
        pass

ANY_ERROR = (Exception, JavaThrowable)


class WorkflowsError(Exception):
    """Base of the engine's ordinary errors; ``code`` maps to an API code."""
    code = "INTERNAL_ERROR"

    def __init__(self, message, code=None):
        Exception.__init__(self, message)
        if code:
            self.code = code


class InvalidArguments(WorkflowsError):
    code = "INVALID_ARGUMENTS"
    retryable = False


class NotFound(WorkflowsError):
    code = "WORKFLOW_NOT_FOUND"

    @classmethod
    def run(cls, workflowId, dbName):
        """The one wording of "no such run", for every lookup by id."""
        return cls("No workflow with id %r in database '%s'." % (workflowId, dbName))


class DatabaseUnavailable(WorkflowsError):
    code = "DATABASE_UNAVAILABLE"


class DatabaseError(WorkflowsError):
    code = "DATABASE_ERROR"


class StepError(Exception):
    """A step failed for good: raised to the workflow, live and on replay alike."""

    def __init__(self, stepName, errorType, message):
        Exception.__init__(self, "step %s failed: %s: %s" % (stepName, errorType, message))
        self.stepName = stepName
        self.errorType = errorType
        self.errorMessage = message


class DeterminismError(Exception):
    """The workflow's code no longer matches its recorded history."""


class NotSerializable(Exception):
    """A value that must be stored is not JSON-serialisable."""


class TooLarge(NotSerializable):
    """A value's JSON is longer, or nested deeper, than the configured limit."""


class PromptTimedOut(Exception):
    """rt.ask waited ``timeoutSeconds`` for an answer and had no default:
    an ordinary exception the workflow may catch (raised again on replay)."""

    def __init__(self, key, message=None):
        Exception.__init__(self, message or "no answer to prompt %r in time" % (key,))
        self.key = key


class ChildFailed(Exception):
    """A child run awaited with rt.awaitChild / awaitAll / awaitAny ended
    other than SUCCESS (``status``: ERROR, CANCELLED, STOPPED, ABORTED,
    DEAD_LETTER; ``error``: the child's error record, a dict). An ordinary
    exception the parent may catch; raised again on replay."""

    def __init__(self, childId, status, error=None):
        detail = (error or {}).get("message") if isinstance(error, dict) else None
        Exception.__init__(self, "child run %s ended %s%s" % (
            childId, status, ": %s" % detail if detail else ""))
        self.childId = childId
        self.status = status
        self.error = error


class ChildTimedOut(Exception):
    """rt.awaitChild / awaitAll / awaitAny waited ``timeoutSeconds`` (time
    the parent spent HELD not counted) and the children had not ended. The
    children go on; an ordinary exception, raised again on replay."""

    def __init__(self, childIds, message=None):
        Exception.__init__(self, message or "child run(s) %s did not end in time"
                           % ", ".join(childIds))
        self.childIds = list(childIds)


# Control flow. These derive from BaseException so that a workflow's
# ``except Exception`` cannot swallow a cancel, a stop, an abort or a lost claim.
class WorkflowInterrupt(BaseException):
    status = None

    def __init__(self, reason=None):
        BaseException.__init__(self, reason or self.__class__.__name__)
        self.reason = reason


class WorkflowCancelled(WorkflowInterrupt):
    status = "CANCELLED"


class WorkflowStopped(WorkflowInterrupt):
    status = "STOPPED"


class WorkflowAborted(WorkflowInterrupt):
    status = "ABORTED"


class WorkflowTimedOut(WorkflowInterrupt):
    status = "ERROR"


class ClaimLost(WorkflowInterrupt):
    """This gateway no longer owns the run (fenced, finished elsewhere, or
    the database could not be reached): stop touching it."""
    status = None


def causes(exc, limit=10):
    """Returns ``[exc, its cause, the cause's cause, ...]`` (Java ``getCause()``
    chains and Python 3 ``__cause__``), at most ``limit`` long."""
    chain, cur = [], exc
    while cur is not None and len(chain) < limit:
        chain.append(cur)
        getCause = getattr(cur, "getCause", None)
        try:
            nxt = getCause() if getCause is not None else getattr(cur, "__cause__", None)
        except ANY_ERROR:
            nxt = None
        cur = nxt if nxt is not cur else None
    return chain


def sqlState(exc):
    """Returns the first SQLState found along ``exc``'s cause chain, or ""."""
    for cur in causes(exc):
        getState = getattr(cur, "getSQLState", None)
        if getState is None:
            continue
        try:
            state = getState()
        except ANY_ERROR:
            state = None
        if state:
            return str(state)
    return ""


def messageOf(exc):
    """Returns the raw message of one exception (Java or Python), never raising."""
    try:
        if isinstance(exc, JavaThrowable):
            msg = exc.getMessage()
            return _text(msg) if msg is not None else u""
        return _text(exc)
    except ANY_ERROR:
        return u""


# What an error message may carry that must not be stored, returned or logged.
# Ignition's wrapper repeats the whole call, SQL and arguments included:
#   Error executing system.db.runPrepUpdate(INSERT ... VALUES (?), [secret], DB, , false, false)
_CALL = re.compile(r"(system\.db\.\w+)\(.*", re.S)
# ... and a GatewayException (the innermost error a client scope sees) the SQL:
#   SQL error for "INSERT INTO t VALUES (?)": <the driver's message>
_SQL_FOR = re.compile(r'SQL error for ".*?":\s*', re.S)
# PostgreSQL's secondary fields repeat values: "Detail: Key (k)=(secret) already
# exists", "Detail: Failing row contains (...)", "Where: ..." (PgJDBC puts each on
# its own line; a flattened message has them inline). Everything from the
# first one on is dropped.
_SECONDARY = re.compile(r"\s(?:Detail|DETAIL|Hint|HINT|Where|WHERE|Position|POSITION|Location|"
                        r"LOCATION|Routine|Internal Query|Internal Position|CONTEXT|STATEMENT)"
                        r":\s.*", re.S)
_KEY_VALUES = re.compile(r"(Key \([^)]*\)=)\(.*?\)(?=\s+(?:already|is not|is still)|\s*$)", re.M)
_FAILING_ROW = re.compile(r"Failing row contains \(.*", re.S)
# Primary messages of PostgreSQL that end with the offending value, e.g.
#   ERROR: invalid input syntax for type integer: "secret"
#   ERROR: value "123456789012" is out of range for type integer
_TRAILING_VALUE = re.compile(r'(ERROR:.*?:\s*)"[^\n]*"\s*$', re.M)
_QUOTED_VALUE = re.compile(r'(ERROR:.*?\bvalue )"[^"\n]*"', re.M)
MAX_MESSAGE = 2000


def scrubText(text, hide=()):
    """Returns ``text`` without echoed SQL, SQL arguments or database values.

    Drops the call Ignition repeats (``system.db.runPrepUpdate(<sql>, <args>,
    ...)``), a GatewayException's ``SQL error for "<sql>":``, PostgreSQL's
    Detail/Hint/Where lines, ``Key (...)=(<value>)``, ``Failing row contains
    (...)`` and a value quoted at the end of an ``ERROR:`` line; then every
    text of ``hide`` (statement arguments, a run's secret inputs) of
    masking.MIN_SUBSTRING characters or more is replaced by ``***``.
    """
    if not text:
        return text
    text = _CALL.sub(r"\1(...)", text)
    text = _SQL_FOR.sub("SQL error: ", text)
    text = _SECONDARY.sub("", " " + text)[1:]
    text = _KEY_VALUES.sub(r"\1(%s)" % masking.MASK, text)
    text = _FAILING_ROW.sub("Failing row contains (%s)" % masking.MASK, text)
    text = _TRAILING_VALUE.sub(r'\1"%s"' % masking.MASK, text)
    text = _QUOTED_VALUE.sub(r'\1"%s"' % masking.MASK, text)
    text = masking.maskText(text, hide)
    if len(text) > MAX_MESSAGE:
        text = text[:MAX_MESSAGE] + "..."
    return text.rstrip()


def rootCause(exc, hide=()):
    """Returns ``(typeName, message)`` of the innermost cause of ``exc``, its
    message scrubbed (see scrubText): what went wrong, without the SQL, its
    arguments or the values a database echoes."""
    root = causes(exc)[-1]
    return root.__class__.__name__, scrubText(messageOf(root), hide)


def typeAndMessage(name, message):
    """``Type: message`` (``Type`` alone without a message): the one shape an
    error takes in a log line, an answer or a stored record."""
    return "%s: %s" % (name, message) if message else name


def describe(exc):
    """Returns ``Type: message`` of the root cause of any Python or Java error,
    safe for a log line or an answer: scrubbed (see scrubText), with the
    secret inputs of the run executing on this thread masked."""
    return typeAndMessage(*rootCause(exc, _runSecrets()))


def toRecord(exc, withTrace=True):
    """Returns the JSON-safe record stored for a failed step or workflow.

    ``message`` is the root cause only (for a Java error: ``RootType:
    message`` of its innermost cause), scrubbed of SQL, SQL arguments,
    database values and the run's secret inputs. ``traceback`` lists file,
    line and function of each frame; the source lines (which can hold a
    literal password) only when the runtime setting ``storeTracebackSource``
    is True.
    """
    hide = _runSecrets()
    if isinstance(exc, StepError):
        rec = {"type": exc.errorType, "message": scrubText(exc.errorMessage, hide),
               "step": exc.stepName}
    else:
        rootName, msg = rootCause(exc, hide)
        if causes(exc)[-1] is not exc:
            msg = typeAndMessage(rootName, msg)
        rec = {"type": exc.__class__.__name__, "message": msg}
    if withTrace:
        rec["traceback"] = safeTrace(exc)[-4000:]
    return rec


def safeTrace(exc=None, withSource=None):
    """Returns the traceback of the exception being handled, for a log line or
    a stored error: ``File "...", line N, in function`` per frame, then the
    scrubbed root cause (describe()). Source lines only when ``withSource``
    is True, or when it is None and the runtime setting
    ``storeTracebackSource`` is True. Never raises."""
    try:
        info = sys.exc_info()
        if exc is None:
            exc = info[1]
        if withSource is None:
            withSource = _setting("storeTracebackSource")
        lines = ["Traceback (most recent call last):"]
        for filename, lineno, function, source in traceback.extract_tb(info[2]) if info[2] else ():
            lines.append('  File "%s", line %s, in %s' % (filename, lineno, function))
            if withSource and source:
                lines.append("    " + masking.maskText(source.strip(), _runSecrets()))
        lines.append(describe(exc) if exc is not None else "(no exception)")
        return "\n".join(lines)
    except ANY_ERROR:
        return "(traceback unavailable)"


# What this bottom layer needs to know of the running engine: the secret
# input values of the run on this thread, and the runtime settings. The
# engine plugs them in (engine/kernel.py) so that core imports nothing above it.
_hooks = {"runSecrets": lambda: (), "setting": lambda name: None}


def plug(runSecrets, setting):
    """Called by the engine: ``runSecrets()`` returns the secret values of
    the run on this thread; ``setting(name)`` a runtime setting."""
    _hooks["runSecrets"] = runSecrets
    _hooks["setting"] = setting


def _runSecrets():
    """The secret input values of the run executing on this thread (masked
    wherever its errors are recorded or logged); () outside a run."""
    try:
        return _hooks["runSecrets"]() or ()
    except ANY_ERROR:
        return ()


def _setting(name):
    try:
        return _hooks["setting"](name)
    except ANY_ERROR:
        return None


def _text(exc):
    try:
        return unicode(exc)  # noqa: F821 - Jython/Python 2
    except NameError:
        return str(exc)
    except ANY_ERROR:
        return repr(exc)
