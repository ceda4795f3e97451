"""tools/bench [--db JDBC_URL] [--gateway-name NAME] SCENARIO [options]

Options may come before or after the scenario name (tools/bench takes --db and
--gateway-name out wherever they are; --json and --server-pid are moved in
front of the scenario here).

Scenarios (see docs/benchmarks.md):
  e2e      --workflows N --steps K [--mode start|memory] [--concurrency C] [--workers W]
           [--samples S] [--overhead-steps K0] [--warmup N0]
  enqueue  --threads T --count N (per thread) [--timer-window S]
  tagevents [--threads 3] [--rates 1000,10000] [--seconds 5] [--burst-count N]
  waiting  [--runs 2000] [--workers 8] [--hold-s 60] [--release-after-ms MS]
  scale    --history-rows R[,R2,...] [--repeats N] [--batch B]
  memory   [--queued Q] [--running R]
  micro    [--iterations N]
  smoke    every scenario at a tiny size (CI)

Everything goes through the real engine on the simulated gateway, whose
dispatch timer runs at its shipped setting (1000 ms, fixed delay, dedicated
thread). Progress goes to stderr; the LAST line on stdout is one JSON object
with the figures (units in the names); ``--json FILE`` writes the full result.

This module is plain Python (2.7 and 3): the unit tests import it on CPython.
"""
import argparse

from exchange.workflows.engine import burst

_COMMON = ("--json", "--server-pid")


def parse(argv):
    # --json and --server-pid may come before or after the scenario name.
    common, rest, i = [], [], 0
    while i < len(argv):
        arg = argv[i]
        name = arg.split("=", 1)[0]
        if name in _COMMON:
            if "=" in arg:
                common.append(arg)
            else:
                common.extend(argv[i:i + 2])
                i += 1
        else:
            rest.append(arg)
        i += 1
    argv = common + rest
    p = argparse.ArgumentParser(prog="tools/bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", help="write the full result (summary and details) to this file")
    p.add_argument("--server-pid", type=int, default=None,
                   help="PID of a local database server (postmaster): report its CPU per workflow")
    sub = p.add_subparsers(dest="scenario")

    e = sub.add_parser("e2e", help="end-to-end workflows through the real dispatch path")
    e.add_argument("--workflows", type=int, default=1000)
    e.add_argument("--steps", type=int, default=3)
    e.add_argument("--mode", choices=("start", "memory"), default="start")
    e.add_argument("--concurrency", type=int, default=None,
                   help="queue 'default' concurrency limit (default: none)")
    e.add_argument("--workers", type=int, default=None,
                   help="worker threads (default: max(8, concurrency))")
    e.add_argument("--samples", type=int, default=50,
                   help="uncontended 0-step/K-step pairs for overhead and start latency")
    e.add_argument("--overhead-steps", type=int, default=None,
                   help="K for the per-step overhead (default: max(--steps, 10))")
    e.add_argument("--warmup", type=int, default=100)
    e.add_argument("--statements", action="store_true",
                   help="PostgreSQL with pg_stat_statements preloaded: count statements and "
                        "commits per workflow in the throughput phase")

    q = sub.add_parser("enqueue", help="enqueueInMemory latency and flush throughput")
    q.add_argument("--threads", type=int, default=8)
    q.add_argument("--count", type=int, default=5000, help="requests per thread")
    q.add_argument("--timer-window", type=float, default=3.0,
                   help="seconds to watch the shipped timer flush on its own (0: skip)")
    q.add_argument("--flush-batch", type=int, default=burst.FLUSH_BATCH,
                   help="rows per INSERT in the direct flush (default: the engine's flush "
                        "batch, %d)" % burst.FLUSH_BATCH)
    q.add_argument("--rate", type=float, default=0,
                   help="calls/s per thread (0: flat out, a burst; >0: paced, like tag events)")
    q.add_argument("--warmup", type=int, default=2000)

    t = sub.add_parser("tagevents", help="enqueueInMemory from Ignition's tag-event pool (3 threads), "
                                         "paced and in a burst: p50/p99/p99.9 and CPU per call")
    t.add_argument("--threads", type=int, default=3, help="the tag-event pool's size")
    t.add_argument("--rates", default="1000,10000", help="comma list of total events/s, one phase each")
    t.add_argument("--seconds", type=float, default=5.0, help="length of each paced phase")
    t.add_argument("--burst-count", type=int, default=10000,
                   help="calls per thread of the flat-out burst (0: none)")
    t.add_argument("--warmup", type=int, default=10000, help="calls per thread before measuring")

    w = sub.add_parser("waiting", help="N runs waiting at once (held, sleeping, tag, prompt) on few "
                                       "workers: threads, heap, then release and time to finish")
    w.add_argument("--runs", type=int, default=2000)
    w.add_argument("--workers", type=int, default=8)
    w.add_argument("--hold-s", type=float, default=60.0,
                   help="seconds from the first start to the release (the sleeps end then)")
    w.add_argument("--release-after-ms", type=int, default=None,
                   help="the engine's releaseAfterMs while the scenario runs (default: its own)")
    w.add_argument("--timeout-s", type=float, default=900.0,
                   help="give up when the runs have not all ended this long after the release")

    s = sub.add_parser("scale", help="dispatch/claim time against finished-history size")
    s.add_argument("--history-rows", default="1000,1000000",
                   help="comma-separated sizes, measured in increasing order in one run")
    s.add_argument("--repeats", type=int, default=30)
    s.add_argument("--batch", type=int, default=10, help="rows per claim (the timer's maxToClaim)")

    m = sub.add_parser("memory", help="heap with queued in-memory requests and running workflows")
    m.add_argument("--queued", type=int, default=50000)
    m.add_argument("--running", type=int, default=1000)
    m.add_argument("--sleep-ms", type=int, default=600000)
    u = sub.add_parser("micro", help="costs of the engine's building blocks (us per call)")
    u.add_argument("--iterations", type=int, default=5000)
    sub.add_parser("smoke", help="every scenario at a tiny size, one after the other (CI)")
    args = p.parse_args(argv)
    if not args.scenario:
        p.error("a scenario is required: e2e, enqueue, tagevents, waiting, scale, memory, micro or smoke")
    return args
