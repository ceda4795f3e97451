"""JSON for everything the engine stores: inputs, step outputs, events.

Java values that Ignition hands to scripts (dates, BigDecimal, datasets,
qualified values, Java collections) are converted to plain JSON *before*
anything is written, so a step's side effect can never succeed and its
checkpoint then fail on an unserialisable value.
"""
import json

from exchange.workflows.core.errors import NotSerializable, TooLarge

try:
    from java.math import BigDecimal, BigInteger
    from java.util import Collection, Date, Map
    from java.lang import Number as JavaNumber
    from java.text import SimpleDateFormat
    from java.util import TimeZone
    _JAVA = True
except ImportError:
    _JAVA = False

try:
    TEXT = (str, unicode)  # noqa: F821 - Python 2
except NameError:
    TEXT = (str,)


def _isoFormat():
    fmt = SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
    fmt.setTimeZone(TimeZone.getTimeZone("UTC"))
    return fmt


def _fromJava(value):
    """Converts one Java or Ignition value to plain data, or raises TypeError."""
    if _JAVA:
        if isinstance(value, Date):
            return _isoFormat().format(value)
        if isinstance(value, (BigDecimal,)):
            if value.scale() <= 0:
                return int(value.longValue()) if value.bitLength() < 63 else str(value)
            return value.doubleValue()
        if isinstance(value, BigInteger):
            return int(str(value))
        if isinstance(value, JavaNumber):
            return value.doubleValue()
        if isinstance(value, Map):
            return dict((str(k), value.get(k)) for k in value.keySet())
        if isinstance(value, Collection):
            return list(value)
    # Ignition objects, recognised by shape so that no Ignition class is imported.
    if hasattr(value, "getColumnNames") and hasattr(value, "getRowCount"):
        cols = list(value.getColumnNames())
        return [dict((c, value.getValueAt(r, c)) for c in cols) for r in range(value.getRowCount())]
    if hasattr(value, "isGood") and hasattr(value, "getName"):
        return str(value.getName())
    if hasattr(value, "getQuality") and hasattr(value, "getValue"):
        ts = value.getTimestamp() if hasattr(value, "getTimestamp") else None
        return {"value": value.getValue(), "quality": str(value.getQuality().getName()),
                "timestamp": ts}
    try:
        return list(value)  # Jython arrays and other iterables
    except TypeError:
        raise TypeError("%s is not JSON-serialisable" % type(value).__name__)


def toPlain(value):
    """Returns ``value`` as plain JSON-safe data (dict/list/str/number/bool/None).

    Raises:
        NotSerializable: the value (or something inside it) has no JSON form.
    """
    return json.loads(encode(value))


# json.dumps with these arguments builds a new JSONEncoder on every call.
# One instance gives the same text; it keeps no state between calls (each
# encode has its own circular-reference markers), so threads can share it.
_ENCODER = json.JSONEncoder(default=_fromJava, separators=(",", ":"), sort_keys=False)
# For a dict, _ENCODER.encode() makes a fresh encoder (Java in Jython, C in
# CPython) and calls it: calling that encoder directly, with the same
# settings, gives the same text for about half the cost.
_makeEncoder = getattr(json.encoder, "c_make_encoder", None)
_DIRECT = _makeEncoder is not None
_escape = json.encoder.encode_basestring_ascii
try:
    _SCALARS = frozenset([str, unicode, int, long, float, bool, type(None)])  # noqa: F821 - Python 2
except NameError:
    _SCALARS = frozenset([str, int, float, bool, type(None)])


def _flat(value):
    """True when every value of the dict ``value`` is a plain scalar."""
    for v in value.values():
        if type(v) not in _SCALARS:
            return False
    return True


def encode(value):
    """Returns compact JSON text for ``value``; raises NotSerializable."""
    try:
        if _DIRECT and isinstance(value, dict):
            # The circular-reference check calls id() on every container, and
            # Jython's id() takes one JVM-wide lock: enqueueInMemory threads
            # queued on it. A dict of scalars cannot contain itself, so it is
            # encoded without the check (markers None); anything else keeps it.
            markers = None if _flat(value) else {}
            return "".join(_makeEncoder(markers, _fromJava, _escape, None, ":", ",", False, False,
                                        True)(value, 0))
        return _ENCODER.encode(value)
    except (TypeError, ValueError, OverflowError) as e:
        raise NotSerializable(str(e))


def decode(text):
    """Returns the value of JSON ``text``; None stays None."""
    if text is None:
        return None
    return json.loads(text)


def depthOf(value, limit):
    """Returns the nesting depth of ``value`` (a scalar is 0), counting no
    further than ``limit + 1``: a value nested thousands deep is refused
    before the encoder's recursion could overflow the thread's stack."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        level += 1
        if level > deepest:
            deepest = level
            if deepest > limit:
                return deepest
        for child in children:
            if isinstance(child, (dict, list, tuple)):
                stack.append((child, level))
    return deepest


def encodeLimited(value, maxBytes, maxDepth, what="value"):
    """Returns the JSON text of ``value`` like encode(), refusing a value
    nested deeper than ``maxDepth`` or longer than ``maxBytes`` characters.

    Raises:
        TooLarge: over a limit (the message names the limit, never the value).
        NotSerializable: no JSON form.
    """
    if not (isinstance(value, dict) and _flat(value)):
        depth = depthOf(value, maxDepth)
        if depth > maxDepth:
            raise TooLarge("%s is nested more than %d levels deep" % (what, maxDepth))
    text = encode(value)
    if len(text) > maxBytes:
        raise TooLarge("%s is %d bytes of JSON, over the limit of %d" % (what, len(text), maxBytes))
    return text
