"""Argument checks shared by the API functions: each raises InvalidArguments
with a message that names the argument and what it must be."""
from exchange.workflows.engine.codec import TEXT
from exchange.workflows.engine.errors import InvalidArguments

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
