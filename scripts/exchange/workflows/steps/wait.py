"""Wait steps: ``wait.until_tag_equals``.

    from exchange.workflows.steps import wait
    wait.until_tag_equals("[default]Line1/Tank/AtLevel", True, timeout_ms=600000)

A wait is a safe point every ``poll_ms``: HOLD parks it (the remaining time
resumes after RESUME), STOP, cancel and the workflow's timeout end it within
one poll. A timeout *fails* the step with ``WaitTimeout``, so the author
cannot forget to check a flag. After a gateway crash an unfinished wait runs
again from the start: it re-evaluates its condition with its full timeout.
"""
from exchange.workflows.bootstrap import step
from exchange.workflows.steps.convert import plain, qualityName
from exchange.workflows.steps.errors import WaitTimeout
from exchange.workflows.steps.tags import checkPath, checkTimings, pollUntil, show

# timeout_ms already bounds the wait: retrying would silently multiply it.
WAIT_OPTIONS = {"retries_allowed": False}


@step(name="wait.until_tag_equals", options=WAIT_OPTIONS)
def until_tag_equals(path, expected, timeout_ms=10000, poll_ms=250):
    """Waits until a tag equals ``expected`` with Good quality.

    The comparison follows the tag's data type (9 matches 9.0 and "9" on an
    Int tag; see ``convert.sameValue``). A Bad quality while waiting is
    waited out; a missing tag or invalid path fails at once.

    Args:
        path: full tag path.
        expected: the value to wait for.
        timeout_ms: running time allowed (time spent HELD does not count).
        poll_ms: time between reads.

    Returns:
        dict: ``{"path", "value", "waitedMs"}``: the value read and the
        running time waited.

    Raises:
        WaitTimeout: the tag did not equal ``expected`` within ``timeout_ms``;
            the message gives its last value and quality.
        TagReadError: the tag does not exist, its path is invalid, or a read raised.
        InvalidArguments: bad path or timings.
    """
    checkPath(path)
    timeout, poll = checkTimings(timeout_ms, poll_ms)
    matched, actual, quality, waited = pollUntil(path, expected, timeout, poll)
    if not matched:
        raise WaitTimeout("%s did not reach %s within %d ms: last value %s, quality %s"
                          % (path, show(expected), timeout, show(actual), qualityName(quality)))
    return {"path": path, "value": plain(actual), "waitedMs": waited}
