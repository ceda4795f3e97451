"""Workflow ids: UUID text whose leading bits are the creation time, so that
ids sort in creation order and new rows land at the right end of indexes.

Layout (UUID version 7): 48 bits of epoch milliseconds, the version nibble
7, a 12-bit sequence, the variant bits 10, then 62 random bits. The time and
the sequence come from one counter, ``ms << 12 | seq``, that never goes
back: a second id in the same millisecond takes the next sequence number,
and the 4,097th id of a millisecond borrows the next millisecond. So the ids
made in one JVM are unique and sort in the order they were made, across
threads.

``enqueueInMemory`` runs on many tag-change threads at once, so the Jython
version takes no lock, not even one hidden in Jython: the counter is a Java
AtomicLong, the random bits come from ThreadLocalRandom (no SecureRandom, no
shared state), and the text is made by Python formatting. (Building a
java.util.UUID costs about the same on one thread, but every Java
constructor called from Jython briefly locks the class: threads queued there.)
"""
import os
import threading

from exchange.workflows.core import clock

try:
    from java.lang import System
    from java.util.concurrent import ThreadLocalRandom
    from java.util.concurrent.atomic import AtomicLong
except ImportError:  # CPython, for unit tests
    AtomicLong = None

_SEQ_BITS = 12
# ms (32 + 16 bits), version 7 + sequence, variant 10 + 14 random bits,
# 48 random bits (as three groups of 16).
_TEXT = "%08x-%04x-%04x-%04x-%04x%04x%04x"


if AtomicLong is not None:
    _counter = AtomicLong(0)

    def nextCounter():
        """Returns the next ``ms << 12 | seq`` value: greater than any
        returned before in this JVM, and not below the current time."""
        value = _counter.incrementAndGet()
        floor = System.currentTimeMillis() << _SEQ_BITS
        while value < floor:
            # First id of a new millisecond: move the counter up to the clock,
            # unless another thread moved it since (then take a fresh number).
            if _counter.compareAndSet(value, floor):
                return floor
            value = _counter.incrementAndGet()
        return value

    def newWorkflowId():
        """Returns a time-ordered UUID (version 7 layout) as a lowercase string."""
        c = nextCounter()
        ms = c >> _SEQ_BITS
        rnd = ThreadLocalRandom.current()
        r1, r2 = rnd.nextInt(), rnd.nextInt()
        # Only 32-bit ints are formatted: Jython formats a long in hex with a
        # regular expression compiled on every call.
        return _TEXT % (int(ms >> 16), int(ms & 0xFFFF), 0x7000 | int(c & 0xFFF),
                        0x8000 | (r1 & 0x3FFF), (r1 >> 16) & 0xFFFF, r2 & 0xFFFF,
                        (r2 >> 16) & 0xFFFF)
else:
    _lock = threading.Lock()
    _last = [0]

    def nextCounter():
        """Returns the next ``ms << 12 | seq`` value: greater than any
        returned before in this process, and not below the current time."""
        with _lock:
            value = max(_last[0] + 1, clock.nowMs() << _SEQ_BITS)
            _last[0] = value
        return value

    def newWorkflowId():
        """Returns a time-ordered UUID (version 7 layout) as a lowercase string."""
        c = nextCounter()
        rnd = 0
        for b in bytearray(os.urandom(8)):
            rnd = (rnd << 8) | b
        return _TEXT % (c >> 28, (c >> 12) & 0xFFFF, 0x7000 | (c & 0xFFF),
                        0x8000 | (rnd >> 50), (rnd >> 32) & 0xFFFF, rnd & 0xFFFF,
                        (rnd >> 16) & 0xFFFF)
