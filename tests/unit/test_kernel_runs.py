"""The kernel owns the maps of the runs executing here (issue 17, item 4):
``addRun`` fills ``board``, ``seenCmdSeq`` and ``running`` together and
``dropRun`` empties all three, whatever path a run leaves by; the worker
pool is resized only through ``resizePool``.

CPython 3: the kernel keeps Java objects in the gateway's globals, so the
Java types it uses here are replaced by small fakes with the same methods;
the dispatcher and kernel code under test is the product's."""
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from exchange.workflows.engine import dispatcher, kernel  # noqa: E402
from exchange.workflows.store.handle import Store  # noqa: E402
from exchange.workflows.store.records import Control, RunRow  # noqa: E402

MAPS = ("running", "board", "seenCmdSeq")


class FakeMap(object):
    """The ConcurrentHashMap methods the kernel and dispatcher call."""

    def __init__(self):
        self.items = {}

    def put(self, key, value):
        self.items[key] = value

    def get(self, key):
        return self.items.get(key)

    def remove(self, key, value=None):
        if value is not None and self.items.get(key) != value:
            return False
        return self.items.pop(key, None)

    def entrySet(self):
        return [FakeEntry(k, v) for k, v in self.items.items()]

    def replace(self, key, value):
        if key in self.items:
            self.items[key] = value

    def containsKey(self, key):
        return key in self.items

    def keySet(self):
        return list(self.items)

    def size(self):
        return len(self.items)


class FakeEntry(object):
    def __init__(self, key, value):
        self.key, self.value = key, value

    def getKey(self):
        return self.key

    def getValue(self):
        return self.value


class FakeAtomicLong(object):
    def __init__(self, value):
        self.value = value

    def get(self):
        return self.value

    def incrementAndGet(self):
        self.value += 1
        return self.value


class FakePool(object):
    """A ThreadPoolExecutor's sizing rules: core <= maximum at every moment."""

    def __init__(self, size, refuse=False):
        self.core = self.maximum = size
        self.refuse = refuse

    def getCorePoolSize(self):
        return self.core

    def setCorePoolSize(self, n):
        if n > self.maximum:
            raise ValueError("core %d above maximum %d" % (n, self.maximum))
        self.core = n

    def setMaximumPoolSize(self, n):
        if n < self.core:
            raise ValueError("maximum %d below core %d" % (n, self.core))
        self.maximum = n

    def execute(self, task):
        if self.refuse:
            raise RuntimeError("injected: the pool refused the task")
        raise AssertionError("no task should run in these tests")


class FakeRef(object):
    def __init__(self, value):
        self.value = value

    def get(self):
        return self.value


@pytest.fixture
def fake(monkeypatch):
    k = dict((name, FakeMap()) for name in MAPS + ("recoveryPending", "config", "earlySignals"))
    k["pool"] = FakeRef(FakePool(8, refuse=True))
    monkeypatch.setattr(kernel, "get", lambda: k)
    monkeypatch.setattr(kernel, "pool", lambda: k["pool"].get())
    monkeypatch.setattr(kernel, "AtomicLong", FakeAtomicLong, raising=False)
    monkeypatch.setattr(kernel, "Boolean", bool, raising=False)
    monkeypatch.setattr(kernel, "Long", int, raising=False)
    monkeypatch.setattr(kernel, "_now", lambda: 1000000)
    return k


def _row(wid="w-1", cmdSeq=3):
    return RunRow(wid, "t.flow", "RUNNING", "default", "{}", 2, None, None, 1, 0, cmdSeq, None)


def test_add_run_fills_the_three_maps_and_drop_run_empties_them(fake):
    board = kernel.addRun("w-1", "DB", "default", 2, 3)
    assert fake["board"].get("w-1") is board and board.get() == 0
    assert fake["seenCmdSeq"].get("w-1") == 3
    assert fake["running"].get("w-1") == ("DB", "default", 2)
    kernel.dropRun("w-1")
    assert [fake[name].size() for name in MAPS] == [0, 0, 0]


def test_a_failed_submit_leaves_no_entry_behind(fake):
    with pytest.raises(RuntimeError):
        dispatcher.submit(Store("DB", None), _row(), object())
    assert dict((name, fake[name].size()) for name in MAPS) == dict.fromkeys(MAPS, 0)
    # The claimed row is still ours in the database: recovery restarts it.
    assert fake["recoveryPending"].get("DB") is True


def test_refresh_gives_no_entry_back_to_a_run_that_ended_during_its_query(fake, monkeypatch):
    kernel.addRun("w-1", "DB", "default", 2, 3)

    def control(store, ids):
        kernel.dropRun("w-1")  # the run ends while refresh reads the rows
        return {"w-1": Control("SUCCESS", 2, 4)}
    monkeypatch.setattr(dispatcher.runs, "control", control)
    dispatcher.refresh(Store("DB", None))
    assert [fake[name].size() for name in MAPS] == [0, 0, 0]


def test_refresh_signals_a_run_whose_commands_changed(fake, monkeypatch):
    board = kernel.addRun("w-1", "DB", "default", 2, 3)
    monkeypatch.setattr(dispatcher.runs, "control", lambda store, ids: {"w-1": Control("RUNNING", 2, 4)})
    assert dispatcher.refresh(Store("DB", None)) == 1
    assert board.get() == 1 and fake["seenCmdSeq"].get("w-1") == 4


@pytest.mark.parametrize("size", [2, 8, 50])
def test_resize_pool_sets_the_setting_and_the_pool_in_either_direction(fake, size):
    kernel.resizePool(size)
    pool = fake["pool"].get()
    assert (pool.core, pool.maximum) == (size, size)
    assert kernel.config("maxWorkers") == size


def test_resize_pool_before_the_pool_exists_only_sets_the_setting(fake):
    fake["pool"] = FakeRef(None)
    kernel.resizePool(5)
    assert kernel.config("maxWorkers") == 5


def test_a_command_sent_between_the_claim_and_add_run_is_seen_at_the_first_safe_point(fake):
    # The run is claimed here but not registered yet: the signal has no board.
    kernel.signal("w-1")
    assert fake["earlySignals"].get("w-1") is not None
    board = kernel.addRun("w-1", "DB", "default", 2, 0)
    assert board.get() == 1, "the run's board starts changed: its first safe point looks"
    assert fake["earlySignals"].size() == 0
    kernel.signal("w-1")
    assert board.get() == 2 and fake["earlySignals"].size() == 0


def test_signals_no_run_took_are_forgotten_after_a_minute(fake):
    kernel.signal("elsewhere")  # a run on another gateway: never registered here
    kernel.forgetEarlySignals(1000000 + kernel.EARLY_SIGNAL_MS)
    assert fake["earlySignals"].size() == 1
    kernel.forgetEarlySignals(1000000 + kernel.EARLY_SIGNAL_MS + 1)
    assert fake["earlySignals"].size() == 0
    kernel.signal("w-2")
    kernel.addRun("w-2", "DB", "default", 1, 0)
    kernel.dropRun("w-2")
    assert fake["earlySignals"].size() == 0


def test_a_fenced_worker_ending_leaves_the_newer_claim_of_its_run_registered(fake):
    kernel.addRun("w-1", "DB", "default", 1, 0)
    newer = kernel.addRun("w-1", "DB", "default", 2, 0)  # claimed again in this JVM
    assert kernel.dropRun("w-1", 1) is False, "the epoch-1 worker is not the one registered"
    assert fake["running"].get("w-1") == ("DB", "default", 2)
    assert fake["board"].get("w-1") is newer
    assert kernel.dropRun("w-1", 2) is True
    assert [fake[name].size() for name in MAPS] == [0, 0, 0]
    assert kernel.dropRun("w-1", 2) is False


def test_nothing_is_claimed_before_this_gateway_has_a_fresh_lease(fake, monkeypatch):
    # A start() right after the gateway started asks for a claim at once;
    # a run claimed before the first heartbeat could never be taken over.
    fake["leaseRenewedMs"] = FakeMap()
    fake["maintenance"] = FakeMap()

    def claim(*args):
        raise AssertionError("claimed without a fresh lease")
    monkeypatch.setattr(dispatcher, "claim", claim)
    monkeypatch.setattr(dispatcher.clock, "nowMs", lambda: 1000000)
    assert dispatcher.claimAndSubmit(Store("DB", None), "default", 5) == 0
    fake["leaseRenewedMs"].put("DB", 1000000 - 60 * 1000)  # long ago: stale too
    assert dispatcher.claimAndSubmit(Store("DB", None), "default", 5) == 0
