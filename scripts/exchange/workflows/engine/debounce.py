"""Debounced requests: a tag that chatters 500 times in a second starts one run.

``enqueueInMemory(..., debounceKey=k, debounceMs=w)`` (and ``start``) does
not queue the request at once: it is kept in this gateway's memory under
``(dbName, k)``. A request with the same key within the window replaces the
inputs kept (the latest win) and keeps the first request's workflowId, so
every caller of the group is told the id of the one run. The group is
released into the in-memory queue when ``w`` ms passed without a new
request, or ``debounceMaxMs`` after its first request whatever comes
(a tag that never stops changing still starts its run); it is durable
from the flush that follows, like any in-memory request.

Releases happen at each dispatch cycle (the project's timer, once a
second): a group starts within one dispatch period after its window
closes. Groups live in the kernel (plain tuples in a ConcurrentHashMap), so
a project save keeps them; a gateway stop releases them all early rather
than losing them (api/lifecycle.shutdown). Debouncing is per gateway: two
gateways receiving the same tag events each debounce their own.

Offering is lock-free: a compare-and-set loop on the group's entry, no I/O.
"""
from collections import namedtuple

from exchange.workflows.core import clock
from exchange.workflows.engine import burst, kernel

# Groups held at most; a request for a new key beyond it is refused (the
# caller gets IN_MEMORY_ENQUEUE_REJECTED, reason "overflow").
MAX_GROUPS = 10000
MAX_WINDOW_MS = 3600000
# debounceMaxMs when not given: this many windows.
DEFAULT_MAX_WINDOWS = 10

# row: the latest request (runs.INSERT_COLUMNS order, the first request's
# workflowId); count: requests collapsed into it. The kernel holds the plain
# tuple (no instance of a class of this module, which a project save
# replaces); Group is how this module reads it.
Group = namedtuple("Group", "dbName row firstMs lastMs windowMs maxMs count")


def _read(entry):
    return Group(*entry) if entry is not None else None


def _key(dbName, debounceKey):
    return u"%s\u0000%s" % (dbName, debounceKey)


def offer(dbName, debounceKey, row, windowMs, maxMs, now=None):
    """Adds a request to its group; returns the Group as it now stands, or
    None when MAX_GROUPS groups are held and this key has none."""
    groups = kernel.get()["debounce"]
    key = _key(dbName, debounceKey)
    now = clock.nowMs() if now is None else now
    while True:
        entry = groups.get(key)
        if entry is None:
            if groups.size() >= MAX_GROUPS:
                return None
            new = (dbName, tuple(row), now, now, windowMs, maxMs, 1)
            if groups.putIfAbsent(key, new) is None:
                return _read(new)
            continue
        old = _read(entry)
        # The run keeps the first request's id: every caller was told it.
        latest = (old.row[0],) + tuple(row[1:])
        new = (dbName, latest, old.firstMs, now, windowMs, old.maxMs, old.count + 1)
        if groups.replace(key, entry, new):
            return _read(new)


def release(now=None, everything=False):
    """Moves the groups whose window closed (all of them with
    ``everything``) into the in-memory queue; returns how many runs it
    queued. A group the full queue cannot take stays for the next cycle."""
    groups = kernel.get()["debounce"]
    now = clock.nowMs() if now is None else now
    released = 0
    for key in list(groups.keySet()):
        entry = groups.get(key)
        group = _read(entry)
        if group is None or not (everything or due(group, now)):
            continue
        # Only this version of the group: a request that arrived meanwhile
        # made a new one, which waits for its own window.
        if not groups.remove(key, entry):
            continue
        if burst.offer(group.dbName, group.row):
            released += 1
            kernel.count("debounceReleased")
        elif groups.putIfAbsent(key, entry) is not None:
            # The queue was full, and a request of the same key made a new
            # group meanwhile: that one (the latest inputs) runs, under its
            # own id; this group's id never does. Counted for diagnostics.
            kernel.count("debounceSuperseded")
    return released


def due(group, now):
    return now - group.lastMs >= group.windowMs or now - group.firstMs >= group.maxMs


def pending():
    return kernel.get()["debounce"].size()
