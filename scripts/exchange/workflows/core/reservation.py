"""Room in a bounded in-memory queue, reserved without a lock.

The in-memory queue of ``enqueueInMemory`` (engine/burst.py) is a lock-free
list that is not bounded by itself: two atomic counters bound it, its count
of requests and the characters of inputs JSON it holds. A producer reserves
its place in both before it appends; the flusher gives the place back after
it has removed the request. So the counters are never below what the list
holds, and what it holds never passes either bound: a reservation adds to
a counter and takes its addition back when the sum passed the bound. (For
an instant a refused addition may make a concurrent request look over the
bound too; that request is refused, as it would have been a moment later
anyway when the queue is that close to full. One atomic add per counter is
cheaper in Jython than a read and a compare-and-set.)

The counters are anything with addAndGet (Java's AtomicInteger and
AtomicLong in the gateway), which keeps this pure: ``count`` holds
requests, ``held`` bytes.
"""


def take(count, held, size, capacity, limit):
    """Reserves one request of ``size`` bytes in ``count`` (requests, at
    most ``capacity``) and ``held`` (bytes, at most ``limit``); returns the
    count after it (at least 1), or 0 when the queue is full in count or in
    bytes and nothing is kept reserved. (Functions, not an object: the hot
    path allocates nothing here.)"""
    if size and held.addAndGet(size) > limit:
        held.addAndGet(-size)
        return 0
    depth = count.addAndGet(1)
    if depth > capacity:
        count.addAndGet(-1)
        if size:
            held.addAndGet(-size)
        return 0
    return depth


def give(count, held, requests, size):
    """Gives back the place of ``requests`` requests of ``size`` bytes in all."""
    if requests:
        count.addAndGet(-requests)
    if size:
        held.addAndGet(-size)
