"""Tag values, pure: JSON-safe forms and the comparison a tag wait makes.

``sameValue`` compares a value read from a tag with the value a caller
waits for, the way a write to that tag would convert it. The step library
(steps/tags.py, steps/wait.py, through steps/convert.py) and the engine's
check of released tag waits (engine/dispatcher.py) both use it, so a
released wait is woken by exactly the value its step would accept.
"""
import struct

from exchange.workflows.core import codec
from exchange.workflows.core.errors import NotSerializable

try:
    from java.util import Date as _Date
except ImportError:  # CPython: no Java dates to compare.
    _Date = None

__all__ = ["FATAL_QUALITIES", "plain", "qualityName", "sameValue"]

# Qualities a wait does not wait out: the tag will not appear by waiting.
FATAL_QUALITIES = ("Bad_NotFound", "Error_InvalidPathSyntax")

try:
    _NUMBERS = (int, long, float)  # noqa: F821 - Python 2 / Jython
    _text = unicode  # noqa: F821
except NameError:
    _NUMBERS = (int, float)
    _text = str

_TRUE = ("true", "1", "on")
_FALSE = ("false", "0", "off")


def plain(value):
    """Returns ``value`` as JSON-safe data; a part with no JSON form becomes its text.

    Used for what a step returns after its side effect happened, where
    failing on an odd driver type (a PostgreSQL UUID, a PGobject) would lose
    the record of a write that did happen.
    """
    try:
        return codec.toPlain(value)
    except NotSerializable:
        pass
    if isinstance(value, dict):
        return dict((_text(k), plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return _text(value)


def qualityName(quality):
    """Returns the name of an Ignition QualityCode (``"Good"``, ``"Bad_NotFound"``...)."""
    try:
        return str(quality.getName())
    except AttributeError:
        return str(quality)


def sameValue(actual, expected):
    """Tells whether a tag holding ``actual`` equals ``expected``.

    ``expected`` is converted the way a write to the tag would convert it,
    the tag's type being the type of ``actual``: on an Int tag 9, 9.0 and
    "9" all match 9 (9.5 does not); on a Float4 tag 0.1 matches the
    single-precision 0.1 the tag holds; on a Boolean tag True, 1 and "true"
    match; on a String tag 9 matches "9"; a DateTime matches a Date, epoch
    milliseconds, or the ISO text the step library returns for dates.

    Args:
        actual: the value read from the tag (None when the tag is null).
        expected: the value the caller wants.

    Returns:
        bool.
    """
    if actual is None or expected is None:
        return actual is None and expected is None
    if isinstance(actual, bool):
        wanted = _asBool(expected)
        return wanted is not None and wanted == actual
    if isinstance(actual, _NUMBERS):
        wanted = _asNumber(expected)
        if wanted is None:
            return False
        if isinstance(actual, float):
            return actual == float(wanted) or actual == _float32(wanted)
        return actual == wanted
    if isinstance(actual, (str, _text)):
        return _text(actual) == _asText(expected)
    if _Date is not None and isinstance(actual, _Date):
        if isinstance(expected, _Date):
            return actual.getTime() == expected.getTime()
        if isinstance(expected, _NUMBERS) and not isinstance(expected, bool):
            return actual.getTime() == expected
        return plain(actual) == expected
    return plain(actual) == plain(expected)


def _asBool(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, _NUMBERS):
        return value != 0
    if isinstance(value, (str, _text)):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


def _asNumber(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, _NUMBERS):
        return value
    if isinstance(value, (str, _text)):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                return None
    if hasattr(value, "doubleValue"):  # java.math.BigDecimal from system.util.jsonDecode
        return value.doubleValue()
    return None


def _asText(value):
    if isinstance(value, bool):
        return u"true" if value else u"false"  # how Ignition writes a boolean to a String tag
    return _text(value)


def _float32(number):
    """``number`` rounded to single precision, as a Float4 tag stores it."""
    try:
        return struct.unpack("f", struct.pack("f", float(number)))[0]
    except (OverflowError, struct.error):
        return None
