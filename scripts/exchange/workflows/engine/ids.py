"""Workflow ids: UUID text whose leading bits are the creation time, so that
ids sort in creation order and new rows land at the right end of indexes."""
import os
import threading

from exchange.workflows.engine import clock

try:  # enqueueInMemory runs on tag-change threads: no SecureRandom, no shared lock
    from java.util.concurrent import ThreadLocalRandom

    def _random64():
        return ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFFFFFFFFF
except ImportError:
    def _random64():
        value = 0
        for b in bytearray(os.urandom(8)):
            value = (value << 8) | b
        return value

_lock = threading.Lock()
_last = [0, 0]


def newWorkflowId():
    """Returns a time-ordered UUID (version 7 layout) as a lowercase string."""
    with _lock:
        ms = clock.nowMs()
        if ms <= _last[0]:
            ms = _last[0]
            _last[1] += 1
            if _last[1] > 0xFFF:
                ms += 1
                _last[1] = 0
        else:
            _last[1] = 0
        _last[0] = ms
        seq = _last[1]
    hi = (ms << 16) | (0x7000 | seq)
    lo = (_random64() & 0x3FFFFFFFFFFFFFFF) | 0x8000000000000000
    h = "%016x%016x" % (hi, lo)
    return "%s-%s-%s-%s-%s" % (h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
