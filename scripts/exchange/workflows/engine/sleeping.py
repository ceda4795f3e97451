"""Waiting inside a workflow: the durable sleep operation, and the pause a
waiting step takes between polls.

A durable sleep records its wake-up time (``wakeAtMs``) as an operation
before it sleeps, so after a gateway crash the run sleeps only the time that
remains, and a replay returns what the first run recorded. It sleeps in
chunks that each end at a safe point: HOLD parks it (the remaining time
resumes after RESUME: time HELD is not running time), STOP, cancel and
timeouts end it within one chunk. Called inside a step or outside a
workflow it records nothing (the step is the durable unit) but its chunks
are still safe points.
"""
from exchange.workflows.core import clock, codec
from exchange.workflows.engine.context import current


def pause(ms):
    """Sleeps ``ms`` and then passes a safe point, even inside a step.

    For steps that wait (tag waits, confirmations): HOLD parks them here,
    STOP/cancel/timeout raise here, and a pending interrupt raises again
    before the sleep (a step body that caught it cannot keep waiting).
    Returns the ms spent HELD, which a wait adds to its deadline so that
    the remaining wait resumes after RESUME. Outside a workflow it just sleeps.
    """
    ctx = current()
    if ctx is not None and ctx.pending is not None:
        ctx.raisePending()
    clock.sleepMs(ms)
    if ctx is None:
        return 0
    return ctx.safePoint(insideStep=True)


def sleep(name, totalMs, chunkMs, note=None):
    """Sleeps ``totalMs`` of running time as the durable operation ``name``.

    Args:
        name: the operation's name in the run's history.
        totalMs: running time to sleep (ms >= 0).
        chunkMs: time between safe points (ms > 0).
        note: a dict recorded with the wake-up time (e.g. how the caller
            shapes its result), returned as recorded on replay.

    Returns:
        dict: the operation's record, ``note`` plus ``wakeAtMs`` and
        ``totalMs`` (on replay: what the first run recorded, which may lack
        keys added to ``note`` since); None when nothing was recorded
        (inside a step, or outside a workflow).
    """
    ctx = current()
    if ctx is None or ctx.inStep:
        # Time spent HELD inside pause() does not count: only chunks do.
        remaining = totalMs
        while remaining > 0:
            pause(min(chunkMs, remaining))
            remaining -= chunkMs
        return None
    # As at a step's entry: the safe point before the operation id is taken.
    ctx.safePoint()
    fid, rec = ctx.begin(name)
    if rec is not None:
        recorded = codec.decode(rec.output)
    else:
        recorded = dict(note or {})
        recorded["wakeAtMs"] = clock.nowMs() + totalMs
        recorded["totalMs"] = totalMs
        ctx.record(fid, name, output=codec.encode(recorded))
    ctx.sleepUntil(recorded["wakeAtMs"], chunkMs)
    ctx.safePoint()
    return recorded
