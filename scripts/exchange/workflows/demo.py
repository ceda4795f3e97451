"""Demo workflows: small, safe, and visible in the console. They touch nothing
outside the engine.

Not registered by the shipped project: ``tools/demo`` registers them with
``apps.__init__.loadReport(["exchange.workflows.demo"])``; a site that wants them in its
console does the same. Their inputs are bounded (an hour at most, a few
thousand steps), so no input can make one of them hold a worker for days or
fill the heap: a value out of range ends the run ERROR with a message that
names the input.
"""
from exchange.workflows.bootstrap import step, workflow
from exchange.workflows.engine.instance import getWorkflows
from exchange.workflows.steps.sleep import sleep_chunked

MAX_SECONDS = 3600
MAX_SAMPLES = 1000
MAX_BATCH_CHARS = 100

try:
    _NUMBERS = (int, long, float)  # noqa: F821 - Python 2 / Jython
    _TEXT = (str, unicode)  # noqa: F821
except NameError:
    _NUMBERS = (int, float)
    _TEXT = (str,)


def _seconds(name, value, low):
    """Returns ``value`` if it is a number of seconds from ``low`` to MAX_SECONDS."""
    if isinstance(value, bool) or not isinstance(value, _NUMBERS) or \
            not low <= value <= MAX_SECONDS:
        raise ValueError("%s must be a number of seconds from %s to %d" % (name, low, MAX_SECONDS))
    return value


@workflow(name="demo.small")
def demo_small(duration_s=10):
    """Reports progress twice a second for ``duration_s`` seconds (at most an hour)."""
    loops = int(_seconds("duration_s", duration_s, 0) * 2)
    rt = getWorkflows()
    i = 0
    while i < loops:
        rt.checkCancelled()
        i += 1
        rt.progress("loop %s/%s" % (i, loops))
        sleep_chunked(total_ms=500, chunk_ms=250)
    return {"ok": True}


@step(name="demo.measure")
def measure(batch, index):
    return {"batch": batch, "sample": index, "value": (index * 37) % 100}


@workflow(name="demo.one_minute_progress")
def one_minute_progress(chunk_sec=5, total_sec=60, batch="demo"):
    """Takes a sample every ``chunk_sec`` seconds for ``total_sec`` seconds
    (at most an hour and MAX_SAMPLES samples)."""
    chunk_sec = _seconds("chunk_sec", chunk_sec, 0.05)
    total_sec = _seconds("total_sec", total_sec, 0)
    if not isinstance(batch, _TEXT) or len(batch) > MAX_BATCH_CHARS:
        raise ValueError("batch must be a text of at most %d characters" % MAX_BATCH_CHARS)
    chunks = max(1, int(total_sec // chunk_sec))
    if chunks > MAX_SAMPLES:
        raise ValueError("total_sec / chunk_sec must be at most %d samples" % MAX_SAMPLES)
    rt = getWorkflows()
    samples = []
    for i in range(chunks):
        rt.checkCancelled()
        samples.append(measure(batch, i)["value"])
        rt.progress("sample %d/%d" % (i + 1, chunks), {"last": samples[-1]})
        rt.writeStream("samples", samples[-1])
        sleep_chunked(total_ms=int(chunk_sec * 1000), chunk_ms=250)
    rt.setEvent("average", sum(samples) / float(len(samples)))
    return {"samples": len(samples), "average": sum(samples) / float(len(samples))}


@workflow(name="demo.release")
def demo_release(batch="demo", timeout_s=600):
    """Asks an operator whether to release ``batch`` (the console's Inbox
    shows the question with a button per answer), then for a note (a text
    field). Unanswered for ``timeout_s`` seconds (at most an hour), the
    batch is held back."""
    timeout_s = _seconds("timeout_s", timeout_s, 1)
    if not isinstance(batch, _TEXT) or len(batch) > MAX_BATCH_CHARS:
        raise ValueError("batch must be a text of at most %d characters" % MAX_BATCH_CHARS)
    rt = getWorkflows()
    decision = rt.ask("release", "Release batch %s?" % batch, choices=["release", "hold back"],
                      default="hold back", timeoutSeconds=timeout_s)
    note = rt.ask("note", "A note for batch %s's record?" % batch, default="(none)",
                  timeoutSeconds=timeout_s)
    return {"batch": batch, "decision": decision, "note": note}
