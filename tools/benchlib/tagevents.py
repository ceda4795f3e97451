"""enqueueInMemory as Ignition's tag-change scripts call it (Jython, inside
tools/gwsim): the ``tagevents`` scenario and the producer threads that the
``enqueue`` scenario shares.

An Ignition gateway runs tag-change scripts on a fixed pool of 3 threads
(the tag-event pool). The scenario starts 3 producers and paces them at a
total rate (1,000 and 10,000 events/s by default, each thread a third of
it, offset from the others), then fires a flat-out burst. The engine's
flush runs beside them as it does on a gateway: the shipped timer and the
eager flush a deep queue schedules. Per phase it reports the call time
(p50/p99/p99.9/max, System.nanoTime around the call) and the CPU per call:
the producer threads' own (ThreadMXBean) and the whole process's, flush
included.
"""
import exchange.workflows.api.service as svc
import jarray
from benchkit import (Draining, log, park_us, pct, process_cpu_ns, r3, sql, handle,
                      current_thread_cpu_ns)
from exchange.workflows.engine import burst
from java.lang import System, Thread
from java.util.concurrent import CountDownLatch
from java.util.concurrent.atomic import AtomicLong
from java.util.concurrent.locks import LockSupport

QUEUE = "bench.tagevents"


class Producer(object):
    """Calls enqueueInMemory n times, flat out or paced at ``rate`` calls/s
    (starting ``offset_ns`` after the latch opens); records each call's time
    (ns) and, with ``cpu``, the thread's CPU time around the calls."""

    def __init__(self, n, latch, queue_name, rejected, rate=0, offset_ns=0, cpu=False):
        self.n = n
        self.latch = latch
        self.queue_name = queue_name
        self.rejected = rejected
        self.period = int(1e9 / rate) if rate else 0
        self.offset = offset_ns
        self.lat = jarray.zeros(n, "l")
        self.cpu_ns = 0
        self.cpu = cpu

    def thread(self, name):
        """The producer's thread. Its Python stack starts at a plain function,
        as a tag-event thread's starts at the tag script: no frame with a
        ``self`` for enqueueInMemory's look for a Perspective caller
        (api/access.py) to inspect, which a Runnable's run(self) would add."""
        return Thread(_tagEventLoop(self), name)


def _tagEventLoop(p):
    def tagEvents():
        getattr(p.latch, "await")()  # `await` is a keyword in Python 3
        lat, period, measure, rejected = p.lat, p.period, p.cpu, p.rejected
        due = System.nanoTime() + p.offset
        cpu = c0 = 0
        for i in xrange(p.n):  # noqa: F821 - Jython
            if period:
                due += period
                wait = due - System.nanoTime()
                if wait > 0:
                    LockSupport.parkNanos(wait)
            # The thread's CPU around the call alone: the pacing's parks are not the call's.
            if measure:
                c0 = current_thread_cpu_ns()
            t0 = System.nanoTime()
            r = valueChanged(p.queue_name, i)
            lat[i] = System.nanoTime() - t0
            if measure:
                cpu += current_thread_cpu_ns() - c0
            if not r["ok"]:
                rejected.incrementAndGet()
        p.cpu_ns = cpu
    return tagEvents


def valueChanged(queueName, currentValue):
    """What a tag's value-changed script does with the event: one call."""
    return svc.enqueueInMemory("bench.k", {"k": 0}, queueName=queueName)


def produce(threads, count, queue_name, rate_total=0):
    """Runs ``threads`` producers of ``count`` calls each, together paced at
    ``rate_total`` calls/s (0: flat out); returns the phase's figures."""
    latch = CountDownLatch(1)
    rejected = AtomicLong(0)
    per_thread = float(rate_total) / threads if rate_total else 0
    period = int(1e9 / per_thread) if per_thread else 0
    producers = [Producer(count, latch, queue_name, rejected, per_thread, period * i // threads,
                          True) for i in range(threads)]
    runners = [p.thread("bench-tag-event-%d" % i) for i, p in enumerate(producers)]
    for t in runners:
        t.start()
    p0 = process_cpu_ns()
    t0 = System.nanoTime()
    latch.countDown()
    for t in runners:
        t.join()
    elapsed = (System.nanoTime() - t0) / 1e9
    process = process_cpu_ns() - p0
    lat_us = []
    for p in producers:
        lat_us.extend([v / 1000.0 for v in p.lat])
    calls = threads * count
    return {"calls": calls, "rejected": rejected.get(), "elapsed_s": r3(elapsed),
            "calls_per_s": r3(calls / elapsed), "latency_us": latency(lat_us),
            "caller_cpu_us_per_call": r3(sum(p.cpu_ns for p in producers) / 1e3 / calls),
            # The flush's share (timer and eager flush, which run meanwhile) is in here.
            "process_cpu_us_per_call": r3(process / 1e3 / calls)}


def latency(values_us):
    return {"p50": r3(pct(values_us, 50)), "p90": r3(pct(values_us, 90)),
            "p99": r3(pct(values_us, 99)), "p999": r3(pct(values_us, 99.9)),
            "max": r3(max(values_us) if values_us else None), "n": len(values_us)}


def drain_direct(batch):
    """Flushes the in-memory queue with the engine's flush (batch rows per
    INSERT) until empty; returns (rows, seconds)."""
    flushed = 0
    t0 = System.nanoTime()
    while burst.depth() > 0:
        n = burst.flush(batch, 3600000)
        if n == 0:
            park_us(500)  # the timer's flush holds the lock for a moment
        flushed += n
    return flushed, (System.nanoTime() - t0) / 1e9


def tagevents(a):
    with Draining():  # flushed rows stay ENQUEUED: only the calls (and the flush) are measured
        return _tagevents(a)


def _tagevents(a):
    log("tagevents: warm-up, %d calls from %d threads", a.warmup * a.threads, a.threads)
    produce(a.threads, a.warmup, QUEUE)
    drain_direct(burst.FLUSH_BATCH)
    phases = []
    for rate in [int(x) for x in a.rates.split(",") if x.strip()]:
        count = max(1, int(rate * a.seconds / a.threads))
        log("tagevents: %d events/s from %d threads for %.1f s", rate, a.threads, a.seconds)
        phases.append(_phase(str(rate), produce(a.threads, count, QUEUE, rate), rate))
        drain_direct(burst.FLUSH_BATCH)
    if a.burst_count:
        log("tagevents: burst, %d threads x %d calls flat out", a.threads, a.burst_count)
        phases.append(_phase("burst", produce(a.threads, a.burst_count, QUEUE), None))
        drain_direct(burst.FLUSH_BATCH)
    rows = int(sql("SELECT COUNT(*) FROM {status} WHERE queue_name = ?", [QUEUE])[0][0])
    expected = a.warmup * a.threads + sum(p["calls"] - p["rejected"] for p in phases)
    summary = {"scenario": "tagevents", "dialect": handle().dialect.name, "threads": a.threads,
               "rows_in_db": rows, "rows_expected": expected,
               "all_flushed": rows == expected and burst.depth() == 0}
    for p in phases:
        name = p["phase"]
        summary.update({"tag_%s_p50_us" % name: p["latency_us"]["p50"],
                        "tag_%s_p99_us" % name: p["latency_us"]["p99"],
                        "tag_%s_p999_us" % name: p["latency_us"]["p999"],
                        "tag_%s_max_us" % name: p["latency_us"]["max"],
                        "tag_%s_calls_per_s" % name: p["calls_per_s"],
                        "tag_%s_cpu_us_per_call" % name: p["caller_cpu_us_per_call"],
                        "tag_%s_process_cpu_us_per_call" % name: p["process_cpu_us_per_call"],
                        "tag_%s_rejected" % name: p["rejected"]})
    return summary, {"phases": phases}


def _phase(name, figures, rate):
    figures = dict(figures, phase=name, rate_per_s=rate)
    lat = figures["latency_us"]
    log("tagevents: %s: p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.0f us; %.0f calls/s; "
        "CPU %.1f us per call (process %.1f)", name, lat["p50"], lat["p99"], lat["p999"],
        lat["max"], figures["calls_per_s"], figures["caller_cpu_us_per_call"],
        figures["process_cpu_us_per_call"])
    return figures
