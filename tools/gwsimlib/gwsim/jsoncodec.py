"""system.util.jsonEncode / jsonDecode with Ignition's conversions.

- Decoding: objects -> dict, arrays -> list, strings -> unicode, integers -> int/long,
  numbers with a fraction or exponent -> java.math.BigDecimal (Ignition since 8.1.28, per the
  project's IGNITION.md; BigDecimal does not mix with Python floats in arithmetic, so convert
  with float(x) where needed). Text that is not valid JSON is returned unchanged, as the IA
  manual states for jsonDecode.
- Encoding: compact output (no spaces) unless indent is given; java.util.Date becomes epoch
  milliseconds; Java numbers, Maps, Lists and arrays are encoded by value. Anything else raises
  TypeError instead of being guessed at.
"""
import array
import json
from json.encoder import encode_basestring

from java.lang import Number
from java.lang import Boolean as JavaBoolean
from java.math import BigDecimal
from java.util import Collection, Date, Map


def decode(text):
    try:
        return json.loads(text, parse_float=BigDecimal)
    except ValueError:
        return text


def encode(value, indent=None):
    chunks = []
    _encode(value, chunks, indent, 0)
    return u"".join(chunks)


def _encode(value, out, indent, depth):
    if value is None:
        out.append(u"null")
    elif value is True or value is False or isinstance(value, JavaBoolean):
        out.append(u"true" if value else u"false")
    elif isinstance(value, (int, long)):
        out.append(unicode(value))
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("jsonEncode: %r is not allowed in JSON" % value)
        out.append(unicode(repr(value)))
    elif isinstance(value, basestring):
        if isinstance(value, str):
            value = value.decode("utf-8")
        out.append(encode_basestring(value))
    elif isinstance(value, Date):
        out.append(unicode(value.getTime()))
    elif isinstance(value, Number):
        out.append(unicode(value.toString()))
    elif isinstance(value, (dict, Map)):
        items = [(unicode(key), item) for key, item in dict(value).items()]
        _container(u"{", u"}", items, out, indent, depth, True)
    elif isinstance(value, (list, tuple, set, frozenset, Collection)) or isinstance(value, array.array):
        _container(u"[", u"]", [(None, item) for item in value], out, indent, depth, False)
    else:
        raise TypeError("jsonEncode: cannot encode %s (%r)" % (type(value).__name__, value))


def _container(opener, closer, items, out, indent, depth, keyed):
    out.append(opener)
    if not items:
        out.append(closer)
        return
    pad = u"\n" + u" " * (indent * (depth + 1)) if indent else u""
    for position, (key, item) in enumerate(items):
        if position:
            out.append(u",")
        out.append(pad)
        if keyed:
            out.append(encode_basestring(key))
            out.append(u": " if indent else u":")
        _encode(item, out, indent, depth + 1)
    if indent:
        out.append(u"\n" + u" " * (indent * depth))
    out.append(closer)

