"""Workflows the benchmarks run (Jython, inside tools/gwsim). Importing this
module registers them, as a workflow module imported by apps.load() would.

Each workflow stamps System.nanoTime() into in-memory probes when its body
starts and ends, so the benchmark can time "start() -> workflow code runs"
and "time inside the workflow" without polling the database.
"""
from exchange.workflows.bootstrap import getWorkflows, step, workflow
from exchange.workflows.steps.sleep import sleep_chunked
from java.lang import System
from java.util.concurrent import ConcurrentHashMap
from java.util.concurrent.atomic import AtomicLong

# workflowId -> nanoTime when the workflow body started / returned.
ENTRY = ConcurrentHashMap()
EXIT = ConcurrentHashMap()
# Bodies that returned (bench.k) / started (bench.sleep) since the last reset().
DONE = AtomicLong(0)
SLEEPING = AtomicLong(0)


def reset():
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
