"""core/reservation.py on CPython 3: the in-memory queue's count and byte
bounds, reserved without a lock (engine/burst.py), including producers that
race on the same counters."""
import os
import sys
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from exchange.workflows.core.reservation import give, take  # noqa: E402


class Atomic(object):
    """Java's AtomicLong, as far as core/reservation.py uses it."""

    def __init__(self, value=0):
        self.value = value
        self.lock = threading.Lock()
        self.peak = value

    def get(self):
        return self.value

    def compareAndSet(self, expected, value):
        with self.lock:
            if self.value != expected:
                return False
            self.value = value
            self.peak = max(self.peak, value)
            return True

    def addAndGet(self, delta):
        with self.lock:
            self.value += delta
            self.peak = max(self.peak, self.value)
            return self.value


def test_a_request_is_refused_past_either_bound_and_holds_nothing():
    count, held = Atomic(), Atomic()
    assert take(count, held, 60, 3, 100) == 1
    assert take(count, held, 50, 3, 100) == 0  # 110 bytes > 100
    assert (count.value, held.value) == (1, 60)
    assert take(count, held, 40, 3, 100) == 2  # exactly at the byte bound
    assert take(count, held, 0, 3, 100) == 3  # inputs that are not text weigh nothing
    assert take(count, held, 0, 3, 100) == 0  # the count bound
    assert (count.value, held.value) == (3, 100)
    give(count, held, 2, 100)
    assert (count.value, held.value) == (1, 0)
    assert take(count, held, 100, 3, 100) == 2


def test_racing_producers_never_pass_a_bound_and_the_flusher_gives_all_back():
    count, held = Atomic(), Atomic()
    accepted = []

    def produce():
        mine = 0
        for _ in range(2000):
            if take(count, held, 7, 500, 3000):
                mine += 1
        accepted.append(mine)

    threads = [threading.Thread(target=produce) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 3000 bytes / 7 = 428 requests fit: the byte bound binds before the count.
    assert sum(accepted) == 428 == count.value
    assert held.value == 428 * 7
    # For an instant a refused addition may show (one per racing producer);
    # what is kept never passes a bound.
    assert count.peak <= 500 + 4 and held.peak <= 3000 + 4 * 7
    give(count, held, count.value, held.value)
    assert (count.value, held.value) == (0, 0)
