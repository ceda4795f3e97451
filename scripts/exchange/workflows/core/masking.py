"""Masking of secret values: pure functions, no I/O.

A workflow declares its secret inputs (``@workflow(secretInputs=[...])``).
Their values reach the workflow function unchanged and are stored with the
run (a recovered run needs them), but every answer, console view and log
line shows ``***`` instead: the inputs by name, and the values wherever they
turn up in text (an error message, a progress message, a step's output).
"""
MASK = "***"
# A secret shorter than this is masked where it is a whole value, not inside
# longer text: masking "7" in every message would make them unreadable.
MIN_SUBSTRING = 4

try:
    _TEXT = (str, unicode)  # noqa: F821 - Python 2 / Jython
    _INTS = (int, long)  # noqa: F821
except NameError:
    _TEXT = (str,)
    _INTS = (int,)


def _leafTexts(value, out):
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, _TEXT):
        if value:
            out.append(value)
    elif isinstance(value, _INTS + (float,)):
        out.append(str(value))
    elif isinstance(value, dict):
        for item in value.values():
            _leafTexts(item, out)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _leafTexts(item, out)


def secretTexts(inputs, names):
    """Returns the texts to hide for a run: every string (and number, as
    text) inside the inputs named in ``names``, longest first."""
    out = []
    if isinstance(inputs, dict):
        for name in names or ():
            if name in inputs:
                _leafTexts(inputs[name], out)
    return tuple(sorted(set(out), key=len, reverse=True))


def maskInputs(inputs, names):
    """Returns ``inputs`` with the values of ``names`` replaced by MASK; with
    ``names`` None, every value (the secret names are unknown)."""
    if not isinstance(inputs, dict):
        return inputs if names is not None or inputs is None else MASK
    return dict((key, MASK if names is None or key in names else value)
                for key, value in inputs.items())


def maskText(text, hide):
    """Returns ``text`` with every text of ``hide`` (MIN_SUBSTRING characters
    or longer) replaced by MASK."""
    if not text or not hide:
        return text
    for secret in hide:
        if len(secret) >= MIN_SUBSTRING and secret in text:
            text = text.replace(secret, MASK)
    return text


def scrub(value, hide):
    """Returns a copy of ``value`` (plain JSON data) in which a string or
    number equal to a text of ``hide`` becomes MASK, and a longer string
    containing one has it replaced."""
    if not hide:
        return value
    exact = frozenset(hide)
    return _scrub(value, hide, exact)


def _scrub(value, hide, exact):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, _TEXT):
        return MASK if value in exact else maskText(value, hide)
    if isinstance(value, _INTS + (float,)):
        return MASK if str(value) in exact else value
    if isinstance(value, dict):
        return dict((key, _scrub(item, hide, exact)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [_scrub(item, hide, exact) for item in value]
    return value
