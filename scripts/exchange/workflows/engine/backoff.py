"""Backing off a database that could not be reached.

After a failed attempt, dispatch and the in-memory flush leave that database
alone for 1, 2, 4, then 8 s at most, so that a connection that hangs does
not stall every cycle. The state lives in the kernel: every gateway thread,
old module versions included, sees the same outage.
"""
from exchange.workflows.engine import kernel
from exchange.workflows.core.errors import DatabaseUnavailable


def check(dbName, now):
    """Raises DatabaseUnavailable while ``dbName`` is backed off."""
    until = kernel.get()["backoffUntil"].get(dbName)
    if until is not None and now < until:
        raise DatabaseUnavailable(
            "Database '%s' was unreachable; dispatch backs off and tries again in %d ms. In-memory "
            "requests stay queued." % (dbName, until - now))


def failures(dbName):
    """Consecutive failed attempts on ``dbName`` (0 when it answers)."""
    return kernel.get()["backoffFailures"].get(dbName) or 0


def failed(dbName, now):
    k = kernel.get()
    count = failures(dbName) + 1
    k["backoffFailures"].put(dbName, count)
    k["backoffUntil"].put(dbName, now + 500 * 2 ** min(count, 4))
    kernel.count("dispatchDatabaseFailures")


def succeeded(dbName):
    kernel.get()["backoffFailures"].remove(dbName)
