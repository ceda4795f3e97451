"""Argument checks shared by the API functions: each raises InvalidArguments
with a message that names the argument and what it must be."""
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import InvalidArguments

try:
    INTS = (int, long)  # noqa: F821 - Python 2
except NameError:
    INTS = (int,)
NUMBERS = INTS + (float,)


def isInteger(value):
    return isinstance(value, INTS) and not isinstance(value, bool)


def isNumber(value):
    return isinstance(value, NUMBERS) and not isinstance(value, bool)


def integer(name, value, low, high):
    """Returns ``value`` as an int in [low, high]."""
    if not isInteger(value) or not low <= value <= high:
        raise InvalidArguments("%s must be an integer from %d to %d." % (name, low, high))
    return int(value)


def optionalText(name, value):
    """Returns ``value`` if it is a string or None."""
    if value is not None and not isinstance(value, TEXT):
        raise InvalidArguments("%s must be a string or None." % name)
    return value


def number(name, value, low, high):
    """Returns ``value`` as a float in [low, high]; NaN and infinities are refused."""
    if not isNumber(value):
        raise InvalidArguments("%s must be a number from %s to %s." % (name, low, high))
    value = float(value)
    # NaN fails every comparison, so it fails this one too.
    if not low <= value <= high:
        raise InvalidArguments("%s must be a finite number from %s to %s." % (name, low, high))
    return value


def text(name, value, maxLen, required=False):
    """Returns ``value`` if it is a non-blank string of at most ``maxLen``
    characters (or None when not ``required``)."""
    if isinstance(value, TEXT) and value.strip():
        if len(value) > maxLen:
            raise InvalidArguments("%s is longer than %d characters." % (name, maxLen))
        return value
    if value is None and not required:
        return None
    raise InvalidArguments("%s must be a non-empty string%s." % (name, "" if required else " or None"))


# Caller-chosen workflow ids: the characters of the engine's own ids and of
# ordinary business keys, so an id is safe in a log line, a URL or a view.
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/@#")


def workflowId(name, value, required=True):
    """Returns ``value`` if it is a usable workflow id (1-64 characters of
    letters, digits and ``-_.:/@#``)."""
    if value is None and not required:
        return None
    if not isinstance(value, TEXT) or not value or len(value) > 64 \
            or any(c not in _ID_CHARS for c in value):
        raise InvalidArguments("%s must be 1-64 characters: letters, digits and - _ . : / @ #."
                               % name)
    return value


# The gateway database connection the engine uses unless told otherwise.
DEFAULT_DB = "WorkflowsDB"


def dbNameOrDefault(dbName):
    """``None`` means the default connection, as in the published examples."""
    return DEFAULT_DB if dbName is None else dbName


def dbNameText(dbName):
    """Returns ``dbName`` if it can name a gateway database connection."""
    if not isinstance(dbName, TEXT) or not dbName.strip() or len(dbName) > 200:
        raise InvalidArguments("dbName must be the name of a gateway database connection, "
                               "e.g. 'WorkflowsDB'.")
    return dbName


def existingId(value, what="the id string returned by start()"):
    """Returns ``value`` if it can be the id of a stored run (lookups accept
    any text a run id column holds: ids made elsewhere included)."""
    if not isinstance(value, TEXT) or not value.strip() or len(value) > 64:
        raise InvalidArguments("workflowId must be %s." % what)
    return value
