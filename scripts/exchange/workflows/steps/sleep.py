"""Durable sleep.

``sleep_chunked(total_ms, chunk_ms=250)`` records its wake-up time before
sleeping, so after a gateway crash it sleeps only the time that remains.
Each chunk ends at a safe point: HOLD parks the sleep (the remaining time
resumes after RESUME), STOP, cancel and timeouts end it within one chunk.
Called inside a step it records nothing (the step is the durable unit) but
its chunks are still safe points, like a tag wait's polls. The sleep itself
is the engine's (engine/sleeping.py); this module checks the arguments and
shapes the result.

``sleep_ms(ms)`` is the same sleep under the name ignition-workflows 0.3.6
workflows call, in chunks of ``DEFAULT_CHUNK_MS`` (0.3.6 slept in one
piece, deaf to commands until it woke).

The result's shape follows the result style (steps/results.py). The style
is recorded with the wake-up time, so a replay returns the shape the first
run returned.
"""
from exchange.workflows.core.errors import InvalidArguments
from exchange.workflows.engine import sleeping
from exchange.workflows.steps.results import NATIVE, UPSTREAM, styleOf

__all__ = ["NAME", "MS_NAME", "DEFAULT_CHUNK_MS", "sleep_chunked", "sleep_ms"]

NAME = "sleep.sleep_chunked"
MS_NAME = "sleep.sleep_ms"
DEFAULT_CHUNK_MS = 250


def sleep_chunked(total_ms, chunk_ms=DEFAULT_CHUNK_MS, resultStyle=None):
    """Sleeps ``total_ms`` milliseconds of running time, in ``chunk_ms`` chunks.

    Args:
        total_ms: running time to sleep (time HELD does not count).
        chunk_ms: time between safe points.
        resultStyle: "native" or "upstream" (see steps/results.py); None:
            the running workflow's style.

    Returns:
        dict: ``{"sleptMs": total_ms}``; upstream style
        ``{"ok": True, "slept_ms", "chunks", "chunk_ms", "sleptMs"}``.

    Raises:
        InvalidArguments: total_ms or chunk_ms not a number, total_ms < 0 or chunk_ms <= 0.
    """
    try:
        total, chunk = int(total_ms), int(chunk_ms)
    except (TypeError, ValueError):
        raise InvalidArguments("sleep_chunked needs numeric total_ms and chunk_ms")
    if total < 0 or chunk <= 0:
        raise InvalidArguments("sleep_chunked needs total_ms >= 0 and chunk_ms > 0")
    style = _sleep(NAME, total, chunk, resultStyle)
    if style != UPSTREAM:
        return {"sleptMs": total}
    return {"ok": True, "slept_ms": total, "chunks": (total + chunk - 1) // chunk,
            "chunk_ms": chunk, "sleptMs": total}


def sleep_ms(ms, resultStyle=None):
    """Sleeps ``ms`` milliseconds of running time (0.3.6's name; see the module docstring).

    Returns:
        dict: ``{"sleptMs": ms}``; upstream style ``{"ok": True, "slept_ms", "sleptMs"}``.

    Raises:
        InvalidArguments: ms not a number, or negative.
    """
    try:
        total = int(ms)
    except (TypeError, ValueError):
        raise InvalidArguments("sleep_ms needs a numeric ms")
    if total < 0:
        raise InvalidArguments("sleep_ms needs ms >= 0")
    style = _sleep(MS_NAME, total, DEFAULT_CHUNK_MS, resultStyle)
    if style != UPSTREAM:
        return {"sleptMs": total}
    return {"ok": True, "slept_ms": total, "sleptMs": total}


def _sleep(name, total, chunk, resultStyle):
    """Sleeps (engine/sleeping.py); returns the result style to answer in:
    the recorded one on replay."""
    style = styleOf(resultStyle)
    recorded = sleeping.sleep(name, total, chunk, {"style": style})
    if recorded is None:
        return style
    # Sleeps recorded before result styles existed answered natively.
    return recorded.get("style", NATIVE)
