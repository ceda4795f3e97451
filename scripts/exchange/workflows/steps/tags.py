"""Tag steps: ``tags.read``, ``tags.write``, ``tags.write_confirm``.

    from exchange.workflows.steps import tags
    tags.write_confirm("[default]Line1/Valve/Cmd", 1, confirm_path="[default]Line1/Valve/Open")

Each is a durable step (see docs/steps.md for result shapes, errors and
retry defaults). A write whose quality is not Good *raises*: Ignition's
``writeBlocking`` reports a missing or read-only tag only through the
returned quality, and a workflow driving equipment must never carry on past
a write that did not happen. Workflows written for ignition-workflows 0.3.6
check ``["ok"]`` instead: the upstream result style (steps/results.py)
returns the failure.
"""
from collections import namedtuple

from exchange.workflows.bootstrap import step
from exchange.workflows.core import clock, logs
from exchange.workflows.engine.sleeping import pause
from exchange.workflows.core.errors import ANY_ERROR, InvalidArguments, describe
from exchange.workflows.core.codec import TEXT, encode
from exchange.workflows.core.tagvalues import FATAL_QUALITIES
from exchange.workflows.steps.convert import plain, qualityName, sameValue
from exchange.workflows.steps.errors import TagReadError, TagWriteError, WriteNotConfirmed
from exchange.workflows.steps.results import deliver, styleOf

__all__ = ["READ_OPTIONS", "WRITE_OPTIONS", "CONFIRM_OPTIONS", "read", "write", "write_confirm",
           "checkPath", "checkTimings", "readQualified", "writeTag", "pollUntil", "show", "Written",
           "Poll"]

# Reads and absolute writes are idempotent: a retry after a comms glitch is safe.
READ_OPTIONS = {"retries_allowed": True, "max_attempts": 3, "interval_seconds": 0.5,
                "backoff_rate": 2.0}
WRITE_OPTIONS = {"retries_allowed": True, "max_attempts": 3, "interval_seconds": 0.5,
                 "backoff_rate": 2.0}
# timeout_ms already bounds a confirmation: retrying would silently multiply it.
CONFIRM_OPTIONS = {"retries_allowed": False}

# Qualities that polling cannot outwait: the path itself is wrong.
_FATAL_QUALITIES = FATAL_QUALITIES
# A hung read (an unreachable OPC server) delays HOLD/STOP by at most this.
_MAX_POLL_READ_MS = 5000

# What writeTag and pollUntil found; the steps decide whether it raises or is returned.
Written = namedtuple("Written", ["qualityName", "failure"])
Poll = namedtuple("Poll", ["matched", "value", "quality", "waitedMs", "failure"])

def _logger():
    return logs.get("steps.tags")


@step(name="tags.read", options=READ_OPTIONS)
def read(path, resultStyle=None):
    """Reads one tag.

    Args:
        path: full tag path, e.g. ``"[default]Line1/Speed"``.
        resultStyle: "native" or "upstream" (see steps/results.py); None:
            the running workflow's style.

    Returns:
        dict: ``{"path", "value", "quality": "Good", "timestamp"}``; the value
        is JSON-safe (dates become ISO-8601 UTC text, datasets lists of rows)
        and the timestamp is ISO-8601 UTC text. Upstream style: the same
        keys with ``ok`` (quality Good), and ``error`` when not ok.

    Raises:
        TagReadError: (native style) the quality is not Good (missing tag,
            comms fault...) or the read raised.
        InvalidArguments: path is not a non-empty string.
    """
    style = styleOf(resultStyle)
    checkPath(path)
    try:
        value, quality, timestamp = readQualified(path)
    except TagReadError as e:
        return deliver(style, e, {"path": path, "value": None, "quality": None,
                                  "timestamp": None})
    failure = None
    if not quality.isGood():
        failure = TagReadError("read of %s returned quality %s" % (path, qualityName(quality)))
    return deliver(style, failure, {"path": path, "value": plain(value),
                                    "quality": qualityName(quality), "timestamp": plain(timestamp)})


@step(name="tags.write", options=WRITE_OPTIONS)
def write(path, value, resultStyle=None):
    """Writes one tag and checks the write was accepted.

    Args:
        path: full tag path.
        value: the value; the tag converts it to its data type.
        resultStyle: "native" or "upstream"; None: the running workflow's style.

    Returns:
        dict: ``{"path", "value", "quality": "Good"}`` (``value`` as given,
        JSON-safe). Upstream style: the same keys with ``ok`` (quality
        Good), and ``error`` when not ok.

    Raises:
        TagWriteError: (native style) the write quality is not Good
            (missing, read-only, type conversion refused, device fault) or
            the write raised.
        InvalidArguments: path is not a non-empty string.
    """
    style = styleOf(resultStyle)
    checkPath(path)
    written = writeTag(path, value)
    return deliver(style, written.failure, {"path": path, "value": plain(value),
                                            "quality": written.qualityName})


@step(name="tags.write_confirm", options=CONFIRM_OPTIONS)
def write_confirm(path, value, confirm_path=None, timeout_ms=10000, poll_ms=250,
                  resultStyle=None):
    """Writes a tag, then waits until ``confirm_path`` shows the value.

    The comparison follows the confirm tag's data type (9 matches 9.0 on an
    Int tag; see ``convert.sameValue``). The wait is a safe point every
    ``poll_ms``: HOLD parks it and the remaining time resumes after RESUME;
    STOP and cancel end it within one poll.

    Args:
        path: the tag to write (a setpoint, a command).
        value: the value to write and to expect.
        confirm_path: the feedback tag; None confirms on ``path`` itself.
        timeout_ms: running time allowed for the confirmation (HELD time excluded).
        poll_ms: time between reads of the confirm tag.
        resultStyle: "native" or "upstream"; None: the running workflow's style.

    Returns:
        dict: ``{"path", "value", "confirmPath", "confirmedValue", "confirmMs"}``.
        Upstream style: ``{"ok", "write_quality", "confirmed"}``, plus
        ``timeout_ms`` when the confirmation timed out and ``error`` when
        not ok (a refused write is not waited on).

    Raises:
        TagWriteError: (native style) the write itself was refused.
        WriteNotConfirmed: (native style) the confirm tag did not show the
            value within ``timeout_ms``; the message gives its last value and quality.
        TagReadError: (native style) the confirm tag does not exist or its path is invalid.
        InvalidArguments: bad path or timings.
    """
    style = styleOf(resultStyle)
    checkPath(path)
    target = path if confirm_path is None else checkPath(confirm_path, "confirm_path")
    timeout, poll = checkTimings(timeout_ms, poll_ms)
    written = writeTag(path, value)
    upstream = {"write_quality": written.qualityName, "confirmed": False}
    if written.failure is not None:
        return deliver(style, written.failure, None, upstream)
    polled = pollUntil(target, value, timeout, poll)
    failure = polled.failure
    if polled.matched:
        _logger().debugf("write to %s confirmed on %s in %d ms", path, target, polled.waitedMs)
        upstream["confirmed"] = True
    elif failure is None:
        upstream["timeout_ms"] = timeout
        failure = WriteNotConfirmed(
            "write of %s to %s not confirmed on %s within %d ms: last value %s, quality %s"
            % (show(value), path, target, timeout, show(polled.value),
               qualityName(polled.quality)))
    return deliver(style, failure, {"path": path, "value": plain(value), "confirmPath": target,
                                    "confirmedValue": plain(polled.value),
                                    "confirmMs": polled.waitedMs}, upstream)


# -- helpers shared with wait.py ------------------------------------------------

def checkPath(path, name="path"):
    """Returns ``path`` if it is a non-empty string; raises InvalidArguments."""
    if not isinstance(path, TEXT) or not path.strip():
        raise InvalidArguments("%s must be a non-empty tag path string, got %r" % (name, path))
    return path


def checkTimings(timeout_ms, poll_ms):
    """Returns (timeout, poll) as ints; raises InvalidArguments when unusable."""
    try:
        if isinstance(timeout_ms, bool) or isinstance(poll_ms, bool):
            raise TypeError
        timeout, poll = int(timeout_ms), int(poll_ms)
    except (TypeError, ValueError):
        raise InvalidArguments("timeout_ms and poll_ms must be numbers of milliseconds")
    if timeout < 0 or poll <= 0:
        raise InvalidArguments("timeout_ms must be >= 0 and poll_ms > 0")
    return timeout, poll


def readQualified(path, timeoutMs=45000):
    """Returns (value, QualityCode, timestamp) of one tag.

    Raises:
        TagReadError: the read itself raised.
    """
    try:
        qv = system.tag.readBlocking([path], timeoutMs)[0]
    except ANY_ERROR as e:
        raise TagReadError("read of %s raised %s" % (path, describe(e)))
    return qv.value, qv.quality, qv.timestamp


def writeTag(path, value):
    """Writes one tag.

    Returns:
        Written: the quality's name (None when the write raised) and the
        TagWriteError describing a refused or failed write, else None.
    """
    try:
        quality = system.tag.writeBlocking([path], [value])[0]
    except ANY_ERROR as e:
        return Written(None, TagWriteError("write to %s raised %s" % (path, describe(e))))
    name = qualityName(quality)
    if not quality.isGood():
        return Written(name, TagWriteError("write to %s refused: quality %s" % (path, name)))
    return Written(name, None)


def pollUntil(path, expected, timeoutMs, pollMs, waiting=None):
    """Reads ``path`` every ``pollMs`` until it equals ``expected`` or time runs out.

    Between reads it passes a safe point (``sleeping.pause``): time spent
    HELD extends the deadline, so only running time counts. ``waiting``
    (an engine/sleeping.TagWait, for a wait called in the workflow body)
    keeps the wait's start and deadline across a crash or a release of its
    thread, and releases the thread after the kernel's releaseAfterMs.

    Returns:
        Poll: ``matched``; the last ``value`` and ``quality`` (a QualityCode,
        None if the read raised); ``waitedMs`` of running time; ``failure``:
        a TagReadError when the tag does not exist, the path is invalid or a
        read raised (then the poll stops at once), else None.
    """
    started = clock.nowMs()
    deadline = started + timeoutMs
    held = 0
    if waiting is not None:
        started, deadline, observed = waiting.begin(started, deadline)
        if observed is not None:  # seen by the check that woke this wait
            return Poll(True, observed[0], observed[1], clock.nowMs() - started, None)
    while True:
        remaining = deadline - clock.nowMs()
        readTimeout = max(1000, min(remaining, _MAX_POLL_READ_MS))
        try:
            value, quality, _ = readQualified(path, readTimeout)
        except TagReadError as e:
            return Poll(False, None, None, clock.nowMs() - started - held, e)
        if quality.isGood() and sameValue(value, expected):
            return Poll(True, value, quality, clock.nowMs() - started - held, None)
        if qualityName(quality) in _FATAL_QUALITIES:
            return Poll(False, value, quality, clock.nowMs() - started - held, TagReadError(
                "read of %s returned quality %s" % (path, qualityName(quality))))
        remaining = deadline - clock.nowMs()
        if remaining <= 0:
            return Poll(False, value, quality, clock.nowMs() - started - held, None)
        parked = pause(min(pollMs, remaining))
        deadline += parked
        held += parked
        if waiting is not None:
            waiting.polled(deadline, started + held)


def show(value):
    """Short JSON text of a value, for error messages."""
    try:
        text = encode(plain(value))
    except ANY_ERROR:
        text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
