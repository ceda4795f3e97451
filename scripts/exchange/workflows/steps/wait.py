"""Wait steps: ``wait.until_tag_equals``.

    from exchange.workflows.steps import wait
    wait.until_tag_equals("[default]Line1/Tank/AtLevel", True, timeout_ms=600000)

A wait is a safe point every ``poll_ms``: HOLD parks it (the remaining time
resumes after RESUME), STOP, cancel and the workflow's timeout end it within
one poll. A timeout *fails* the step with ``WaitTimeout``, so the author
cannot forget to check a flag (the upstream result style returns
``{"ok": False, ...}`` instead: see steps/results.py).

Called in the workflow body (not inside another step), the wait keeps its
start and deadline in the run's row: after a gateway crash it reads its tag
again with the time that remained, not a full timeout. Past the kernel's
``releaseAfterMs`` it releases its worker thread (docs/control.md "Waits
that hold no thread"): the dispatcher reads the tags of all released waits
in one ``readBlocking`` per cycle and wakes those whose tag holds the value;
the woken wait returns the value the dispatcher saw. Its history record is
the step's, as before (name ``wait.until_tag_equals``, same output).
Nested in another step it is part of that step and polls on its thread.
"""
from exchange.workflows.bootstrap import step
from exchange.workflows.engine.context import current
from exchange.workflows.engine.sleeping import TagWait
from exchange.workflows.steps.convert import plain, qualityName
from exchange.workflows.steps.errors import WaitTimeout
from exchange.workflows.steps.results import deliver, styleOf
from exchange.workflows.steps.tags import checkPath, checkTimings, pollUntil, show

__all__ = ["WAIT_OPTIONS", "until_tag_equals"]

# timeout_ms already bounds the wait: retrying would silently multiply it.
WAIT_OPTIONS = {"retries_allowed": False}


def until_tag_equals(path, expected, timeout_ms=10000, poll_ms=250, resultStyle=None):
    """Waits until a tag equals ``expected`` with Good quality.

    The comparison follows the tag's data type (9 matches 9.0 and "9" on an
    Int tag; see ``convert.sameValue``). A Bad quality while waiting is
    waited out; a missing tag or invalid path fails at once.

    Args:
        path: full tag path.
        expected: the value to wait for.
        timeout_ms: running time allowed (time spent HELD does not count).
        poll_ms: time between reads.
        resultStyle: "native" or "upstream" (see steps/results.py); None:
            the running workflow's style.

    Returns:
        dict: ``{"path", "value", "waitedMs"}``: the value read and the
        running time waited. Upstream style: ``{"ok", "value", "quality"}``,
        plus ``timeout_ms`` when it timed out and ``error`` when not ok.

    Raises:
        WaitTimeout: (native style) the tag did not equal ``expected``
            within ``timeout_ms``; the message gives its last value and quality.
        TagReadError: (native style) the tag does not exist, its path is
            invalid, or a read raised.
        InvalidArguments: bad path or timings.
    """
    ctx = current()
    if ctx is None or ctx.inStep:
        return _untilTagEquals(path, expected, timeout_ms, poll_ms, resultStyle)
    # The outermost step: the wait may release the thread (engine/sleeping.TagWait).
    ctx.bodyWait = True
    try:
        return _untilTagEquals(path, expected, timeout_ms, poll_ms, resultStyle)
    finally:
        ctx.bodyWait = False


@step(name="wait.until_tag_equals", options=WAIT_OPTIONS)
def _untilTagEquals(path, expected, timeout_ms, poll_ms, resultStyle):
    """The wait step itself (until_tag_equals says what it does)."""
    style = styleOf(resultStyle)
    checkPath(path)
    timeout, poll = checkTimings(timeout_ms, poll_ms)
    polled = pollUntil(path, expected, timeout, poll, TagWait.forStep(path, expected))
    quality = None if polled.quality is None else qualityName(polled.quality)
    upstream = {"value": plain(polled.value), "quality": quality}
    failure = polled.failure
    if not polled.matched and failure is None:
        upstream["timeout_ms"] = timeout
        failure = WaitTimeout("%s did not reach %s within %d ms: last value %s, quality %s"
                              % (path, show(expected), timeout, show(polled.value), quality))
    return deliver(style, failure, {"path": path, "value": plain(polled.value),
                                    "waitedMs": polled.waitedMs}, upstream)


# The step's name, options and withOptions, as on every step of the library
# (a step made with withOptions polls on its thread, as a nested wait does).
until_tag_equals.stepName = _untilTagEquals.stepName
until_tag_equals.stepOptions = _untilTagEquals.stepOptions
until_tag_equals.withOptions = _untilTagEquals.withOptions
