"""What an operator prompt (rt.ask) may ask and what answers it: pure
functions, no I/O.

Values are compared as JSON values: ``1`` and ``1.0`` are the same answer
(a Perspective number arrives as a float), ``True`` and ``1`` are not, a
string is the same whether it is ``str`` or ``unicode``, and lists and
dicts compare item by item. A valid answer to a prompt with choices is
returned as the choice itself, so the run receives exactly the value it
offered.
"""
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import InvalidArguments
from exchange.workflows.core.validate import isNumber

PROMPT_CHARS = 4000
MAX_CHOICES = 100
# The longest rt.ask may wait (a year): timeouts are stored as epoch ms.
MAX_TIMEOUT_SECONDS = 366 * 24 * 3600.0


def sameValue(a, b):
    """True when ``a`` and ``b`` are the same JSON value."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isNumber(a) or isNumber(b):
        return isNumber(a) and isNumber(b) and a == b
    if isinstance(a, TEXT) or isinstance(b, TEXT):
        return isinstance(a, TEXT) and isinstance(b, TEXT) and a == b
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and len(a) == len(b)
                and all(k in b and sameValue(a[k], b[k]) for k in a))
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))
                and len(a) == len(b) and all(sameValue(x, y) for x, y in zip(a, b)))
    return a is None and b is None


def choiceFor(value, choices):
    """Returns the choice that ``value`` is (the first equal one), or raises
    InvalidArguments; with no ``choices`` (None) any value is returned as is."""
    if choices is None:
        return value
    for choice in choices:
        if sameValue(value, choice):
            return choice
    raise InvalidArguments("the answer is not one of the prompt's %d choices." % len(choices))


def checkAsk(prompt, choices, default, timeoutSeconds):
    """Checks rt.ask's arguments; returns (choices as a list or None,
    default, timeout in ms or None).

    Raises:
        InvalidArguments: a prompt that is not text or over PROMPT_CHARS;
            choices that are not a non-empty list (at most MAX_CHOICES) of
            distinct values; a default that is not one of the choices; a
            timeout that is not a positive number of seconds.
    """
    if not isinstance(prompt, TEXT) or not prompt.strip() or len(prompt) > PROMPT_CHARS:
        raise InvalidArguments("rt.ask's prompt must be a non-empty string of at most %d "
                               "characters." % PROMPT_CHARS)
    if choices is not None:
        if not isinstance(choices, (list, tuple)) or not 0 < len(choices) <= MAX_CHOICES:
            raise InvalidArguments("rt.ask's choices must be None or a list of 1 to %d values."
                                   % MAX_CHOICES)
        choices = list(choices)
        for i, choice in enumerate(choices):
            if any(sameValue(choice, other) for other in choices[:i]):
                raise InvalidArguments("rt.ask's choices must be distinct: choice #%d repeats "
                                       "an earlier one." % (i + 1))
        if default is not None and not any(sameValue(default, c) for c in choices):
            raise InvalidArguments("rt.ask's default must be one of its choices.")
        if default is not None:
            default = choiceFor(default, choices)
    timeoutMs = None
    if timeoutSeconds is not None:
        if not isNumber(timeoutSeconds) or not 0 < timeoutSeconds <= MAX_TIMEOUT_SECONDS:
            raise InvalidArguments("rt.ask's timeoutSeconds must be None or a positive number "
                                   "of seconds (at most a year).")
        timeoutMs = max(1, int(timeoutSeconds * 1000))
    return choices, default, timeoutMs
