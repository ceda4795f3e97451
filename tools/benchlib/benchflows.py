"""Workflows the benchmarks run (Jython, inside tools/gwsim). Importing this
module registers them, as a workflow module imported by apps.load() would.

Each workflow stamps System.nanoTime() into in-memory probes when its body
starts and ends, so the benchmark can time "start() -> workflow code runs"
and "time inside the workflow" without polling the database.
"""
from exchange.workflows.bootstrap import getWorkflows, step, workflow
from exchange.workflows.steps import wait
from exchange.workflows.steps.sleep import sleep_chunked
from java.lang import System
from java.util.concurrent import ConcurrentHashMap
from java.util.concurrent.atomic import AtomicLong

# workflowId -> nanoTime when the workflow body started / returned.
ENTRY = ConcurrentHashMap()
EXIT = ConcurrentHashMap()
# Bodies that returned (bench.k) / started (bench.sleep) since the last reset().
DONE = AtomicLong(0)
# workflowId -> kind, for bench.wait runs whose body began (and so waits).
WAITING = ConcurrentHashMap()
SLEEPING = AtomicLong(0)


def reset():
    WAITING.clear()
    ENTRY.clear()
    EXIT.clear()
    DONE.set(0)
    SLEEPING.set(0)


@step(name="bench.noop")
def noop(i):
    """A step that does nothing: all its cost is the engine's checkpoint."""
    return i


@workflow(name="bench.k")
def bench_k(k=3):
    """k no-op steps."""
    wid = getWorkflows().workflowId
    ENTRY.put(wid, System.nanoTime())
    for i in range(k):
        noop(i)
    EXIT.put(wid, System.nanoTime())
    DONE.incrementAndGet()
    return k


@workflow(name="bench.sleep")
def bench_sleep(ms=30000):
    """A running workflow that sleeps (durably, in 250 ms chunks)."""
    wid = getWorkflows().workflowId
    ENTRY.put(wid, System.nanoTime())
    SLEEPING.incrementAndGet()
    sleep_chunked(total_ms=ms, chunk_ms=250)
    EXIT.put(wid, System.nanoTime())
    DONE.incrementAndGet()
    return ms


@step(name="bench.remaining_ms")
def remaining_ms(wake_at_ms):
    """Time left until ``wake_at_ms``: a step, so that a replay sleeps the
    same time the first execution chose."""
    return max(0, int(wake_at_ms) - System.currentTimeMillis())


@workflow(name="bench.wait")
def bench_wait(kind="tag", tag=None, wake_at_ms=0):
    """Waits one way, then returns: ``held`` and ``tag`` wait for ``tag`` to
    equal 1 (the held ones are sent HOLD meanwhile), ``sleep`` sleeps until
    ``wake_at_ms``, ``prompt`` asks an operator."""
    rt = getWorkflows()
    WAITING.put(rt.workflowId, kind)
    if kind == "sleep":
        sleep_chunked(total_ms=remaining_ms(wake_at_ms), chunk_ms=250)
    elif kind == "prompt":
        rt.ask("go", "Release this benchmark run?", choices=["go"])
    else:
        wait.until_tag_equals(tag, 1, timeout_ms=3600000, poll_ms=250)
    DONE.incrementAndGet()
    return kind
