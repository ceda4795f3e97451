"""Queue limits across two gateways on PostgreSQL (issue 15 item 5): a
rate limit caps the starts in any period across both gateways, and a
per-gateway worker concurrency caps each gateway alone. Checked from the
rows the runs left."""
import json
import time

from tests.support import db as dbq

T = "workflows.workflow_status"


def _runs(url, queue):
    return [(int(s), int(f), e) for s, f, e in dbq.query(
        url, "SELECT started_ms, finished_ms, executor_id FROM %s WHERE queue_name = '%s' "
             "AND status = 'SUCCESS' ORDER BY started_ms" % (T, queue))]


def test_rate_limit_and_worker_concurrency_hold_across_two_gateways(gwsim, make_db_url):
    url = make_db_url("postgresql")
    # Gateway 1 is up before gateway 0 queues the work, so both claim it.
    g1 = gwsim.start("queue_limits_gateway.py", url, args=["1"])
    g1.wait_for(r"^READY", 180)
    g0 = gwsim.start("queue_limits_gateway.py", url, args=["0"])
    g0.wait_for(r"^READY", 180)
    deadline = time.time() + 120
    while time.time() < deadline and (len(_runs(url, "rated")) < 12
                                      or len(_runs(url, "perGateway")) < 8):
        time.sleep(0.5)
    rated, per = _runs(url, "rated"), _runs(url, "perGateway")
    assert len(rated) == 12 and len(per) == 8, (len(rated), len(per), g0.tail(), g1.tail())

    starts = [s for s, _, _ in rated]
    for i, s in enumerate(starts):
        in_window = [t for t in starts[i:] if t - s < 2000]
        assert len(in_window) <= 3, "more than 3 starts within 2 s: %s" % starts
    assert starts[-1] - starts[0] >= 6000, "12 starts at 3 per 2 s take at least 6 s: %s" % starts

    by_gateway = {}
    for (out,) in dbq.query(url, "SELECT output FROM %s WHERE queue_name = 'perGateway' "
                                 "AND status = 'SUCCESS'" % T):
        work = json.loads(out)
        by_gateway.setdefault(work["executor"], []).append((work["began"], work["ended"]))
    assert len(by_gateway) == 2, "both gateways took runs: %s" % sorted(by_gateway)
    for spans in by_gateway.values():
        spans.sort()
        for a, b in zip(spans, spans[1:]):
            assert b[0] >= a[1], "two runs at once on one gateway: %s" % spans
    for g in (g0, g1):
        assert g.alive, g.tail()
