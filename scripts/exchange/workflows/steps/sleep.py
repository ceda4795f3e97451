"""Durable sleep.

``sleep_chunked(total_ms, chunk_ms=250)`` records its wake-up time before
sleeping, so after a gateway crash it sleeps only the time that remains.
Each chunk ends at a safe point: HOLD parks the sleep (the remaining time
resumes after RESUME), STOP, cancel and timeouts end it within one chunk.
Called inside a step it records nothing (the step is the durable unit) but
its chunks are still safe points, like a tag wait's polls.
"""
from exchange.workflows.core import clock, codec
from exchange.workflows.engine.context import current, pause
from exchange.workflows.core.errors import InvalidArguments

NAME = "sleep.sleep_chunked"


def sleep_chunked(total_ms, chunk_ms=250):
    """Sleeps ``total_ms`` milliseconds of running time, in ``chunk_ms`` chunks.

    Returns:
        dict: ``{"sleptMs": total_ms}``.
    """
    try:
        total, chunk = int(total_ms), int(chunk_ms)
    except (TypeError, ValueError):
        raise InvalidArguments("sleep_chunked needs numeric total_ms and chunk_ms")
    if total < 0 or chunk <= 0:
        raise InvalidArguments("sleep_chunked needs total_ms >= 0 and chunk_ms > 0")
    ctx = current()
    if ctx is None or ctx.inStep:
        # Time spent HELD inside pause() does not count: only chunks do.
        remaining = total
        while remaining > 0:
            pause(min(chunk, remaining))
            remaining -= chunk
        return {"sleptMs": total}
    # As at a step's entry: the safe point before the operation id is taken.
    ctx.safePoint()
    fid, rec = ctx.begin(NAME)
    if rec is not None:
        wakeAt = codec.decode(rec["output"])["wakeAtMs"]
    else:
        wakeAt = clock.nowMs() + total
        ctx.record(fid, NAME, output=codec.encode({"wakeAtMs": wakeAt, "totalMs": total}))
    ctx.sleepUntil(wakeAt, chunk)
    ctx.safePoint()
    return {"sleptMs": total}
