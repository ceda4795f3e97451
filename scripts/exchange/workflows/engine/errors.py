"""Exceptions of the engine, and how errors become JSON records and back.

Java exceptions do not derive from Python's Exception in Jython 2.7, so
``except Exception`` misses a SQLException raised by ``system.db``. Code that
must catch everything uses ``except ANY_ERROR``.
"""
import traceback

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


# Control flow. These derive from BaseException so that a workflow's
# ``except Exception`` cannot swallow a cancel, a stop or a lost claim.
class WorkflowInterrupt(BaseException):
    status = None

    def __init__(self, reason=None):
        BaseException.__init__(self, reason or self.__class__.__name__)
        self.reason = reason


class WorkflowCancelled(WorkflowInterrupt):
    status = "CANCELLED"


class WorkflowStopped(WorkflowInterrupt):
    status = "STOPPED"


class WorkflowTimedOut(WorkflowInterrupt):
    status = "ERROR"


class ClaimLost(WorkflowInterrupt):
    """This gateway no longer owns the run (fenced, finished elsewhere, or
    the database could not be reached): stop touching it."""
    status = None


def describe(exc):
    """Returns a short ``Type: message`` text for any Python or Java error."""
    name = exc.__class__.__name__
    try:
        msg = exc.getMessage() if isinstance(exc, JavaThrowable) else str(exc)
    except ANY_ERROR:
        msg = repr(exc)
    return "%s: %s" % (name, msg)


def toRecord(exc, withTrace=True):
    """Returns the JSON-safe record stored for a failed step or workflow."""
    if isinstance(exc, StepError):
        rec = {"type": exc.errorType, "message": exc.errorMessage, "step": exc.stepName}
    else:
        name = exc.__class__.__name__
        try:
            msg = exc.getMessage() if isinstance(exc, JavaThrowable) else _text(exc)
        except ANY_ERROR:
            msg = repr(exc)
        rec = {"type": name, "message": msg}
    if withTrace:
        rec["traceback"] = traceback.format_exc()[-4000:]
    return rec


def _text(exc):
    try:
        return unicode(exc)  # noqa: F821 - Jython/Python 2
    except NameError:
        return str(exc)
    except ANY_ERROR:
        return repr(exc)
