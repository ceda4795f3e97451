"""The console's small conversions: what an operator typed, and what a view shows.

Values may arrive from Perspective as Java objects (``java.util.Date``,
``java.lang.Long``, ``QualifiedValue``, property wrappers); these helpers accept
those as well as plain Python values. Times are shown in the gateway's local
time zone. Pure functions: no database, no runtime, no ``system``, so they are
unit-tested on CPython.
"""
import json
import time

from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.validate import INTS

__all__ = ["unwrap", "text", "field", "toMillis", "number", "formatTime", "formatDuration",
           "prettyJson", "jsonObject", "envelopeText", "options"]


def unwrap(value):
    """Returns the plain value of a Perspective QualifiedValue (other values unchanged)."""
    if hasattr(value, "getQuality") and hasattr(value, "getValue"):
        return value.getValue()
    return value


def text(value):
    """Returns ``value`` as stripped text, or None when it is empty or None."""
    value = unwrap(value)
    if value is None:
        return None
    value = value if isinstance(value, TEXT) else str(value)
    value = value.strip()
    return value or None


def field(form, key):
    """Returns ``form[key]`` of a dict-like view property, or None when it is missing."""
    try:
        return form[key]
    except (KeyError, TypeError, IndexError):
        return None


def toMillis(value):
    """Returns epoch milliseconds for a date input's value (java.util.Date,
    number or digit string), or None when nothing is set."""
    value = unwrap(value)
    if value is None or value == "":
        return None
    if hasattr(value, "getTime"):
        return int(value.getTime())
    if isinstance(value, bool):
        return None
    if isinstance(value, INTS + (float,)):
        return int(value)
    try:
        return int(text(value))
    except (TypeError, ValueError):
        return None


def number(value, kind):
    """Returns ``kind(value)`` for numbers and numeric text, None when empty;
    raises ValueError for anything else."""
    value = unwrap(value)
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, INTS + (float,)):
        return kind(value)
    if hasattr(value, "doubleValue"):  # java.lang.Number, BigDecimal
        return kind(value.doubleValue())
    raw = text(value)
    if raw is None:
        return None
    number = float(raw)
    if kind is int and number != int(number):
        raise ValueError(raw)
    return kind(number)


def formatTime(ms):
    """Returns ``YYYY-MM-DD HH:MM:SS`` (gateway local time) for epoch ms, or ""."""
    if ms is None:
        return ""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(int(ms) / 1000.0))


def formatDuration(ms):
    """Returns a short duration text: ``850 ms``, ``12.3 s``, ``4 min 05 s``, ``2 h 03 min``."""
    if ms is None:
        return ""
    ms = int(ms)
    if ms < 1000:
        return "%d ms" % ms
    if ms < 60000:
        return "%.1f s" % (ms / 1000.0)
    seconds = ms // 1000
    if seconds < 3600:
        return "%d min %02d s" % (seconds // 60, seconds % 60)
    return "%d h %02d min" % (seconds // 3600, (seconds % 3600) // 60)


def prettyJson(value):
    """Returns indented JSON text for a stored value ("" for None)."""
    if value is None:
        return ""
    try:
        return json.dumps(value, indent=2, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return str(value)


def jsonObject(value):
    """Returns the dict that ``value`` (JSON text, e.g. a dropdown's value)
    holds, or None when it is empty, not JSON or not an object."""
    raw = text(value)
    if raw is None:
        return None
    try:
        found = json.loads(raw)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def envelopeText(envelope):
    """Returns the one-line status text shown after an action: ``CODE: message``."""
    if not envelope:
        return ""
    return "%s: %s" % (envelope.get("code"), envelope.get("message"))


def options(envelope):
    """Returns the ``[{label, value}]`` options of a WORKFLOW_OPTIONS_OK envelope
    (``data.options``), [] on failure."""
    if not envelope or not envelope.get("ok"):
        return []
    return [{"label": o["label"], "value": o["value"]}
            for o in field(envelope.get("data"), "options") or []]
