"""Several gateways on one PostgreSQL (or MariaDB) database, a gateway killed
or paused, and the database server restarting under a running gateway.
Everything is checked from the data the runs left behind, not from logs.

The sizes here are CI smoke sizes; tools/soak runs the same tests bigger
(SCALE_WORKFLOWS, CHAOS_SECONDS)."""
import os
import random
import signal
import threading
import time

import pytest

from tests.support import db as dbq
from tests.support.mariadb import MariaDBServer
from tests.support.postgres import PostgresServer

OWNED = "('PENDING','RUNNING','HELD')"
# The engine's tables: schema workflows on PostgreSQL, workflows_* on MariaDB.
_TABLE = {"postgresql": "workflows.%s", "mariadb": "workflows_%s"}


def _table(url, name):
    return _TABLE[dbq.kind_of(url)] % name


def _runs(url):
    return _table(url, "workflow_status")


@pytest.fixture(params=["postgresql", "mariadb"])
def pg_url(request, make_db_url):
    return make_db_url(request.param)


def _counts(url):
    return dict((r[0], int(r[1])) for r in dbq.query(url, "SELECT status, COUNT(*) FROM %s GROUP BY status" % _runs(url)))


def _wait(pred, timeout, what, every=0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("timed out after %ss waiting for %s" % (timeout, what() if callable(what) else what))


def _owned_by(url, gateway):
    return int(dbq.scalar(url, "SELECT COUNT(*) FROM %s WHERE executor_id LIKE '%s/%%' AND status IN %s"
                          % (_runs(url), gateway, OWNED)))


def _spans_never_overlap_per_partition(url, table):
    rows = dbq.query(url, "SELECT s.partition_key, e.workflow_id, MIN(e.ts), MAX(e.ts) FROM %s e "
                          "JOIN %s s ON s.workflow_id = e.workflow_id WHERE s.partition_key IS NOT NULL "
                          "GROUP BY s.partition_key, e.workflow_id" % (table, _runs(url)))
    by_key = {}
    for key, wid, lo, hi in rows:
        by_key.setdefault(key, []).append((int(lo), int(hi), wid))
    for key, spans in by_key.items():
        spans.sort()
        for a, b in zip(spans, spans[1:]):
            assert b[0] > a[1], "partition %s: runs %s and %s overlap" % (key, a, b)
    return len(by_key)


def test_three_gateways_run_every_workflow_exactly_once_and_survive_a_sigkill(gwsim, pg_url):
    n, lease = int(os.environ.get("SCALE_WORKFLOWS", "240")), 4
    # The workers come up first, so that all three gateways are there while work remains.
    g2 = gwsim.start("scale_gateway.py", pg_url, args=["worker", str(lease)])
    g3 = gwsim.start("scale_gateway.py", pg_url, args=["worker", str(lease)])
    g2.wait_for(r"^READY", 120)
    g3.wait_for(r"^READY", 120)
    # 24 partition keys: more than the three gateways' 18 workers, so that no
    # gateway is starved by the others re-claiming every partition they free.
    g1 = gwsim.start("scale_gateway.py", pg_url, args=["producer", str(lease), str(n), "24", "3", "250"])
    g1.wait_for(r"^READY", 180)
    _wait(lambda: _owned_by(pg_url, g2.gateway_name) > 0 and _counts(pg_url).get("SUCCESS", 0) >= n // 5,
          120, lambda: "gateway 2 to hold runs; status counts now %s, owned by executor: %s" % (
              _counts(pg_url), dbq.query(pg_url, "SELECT executor_id, COUNT(*) FROM %s WHERE status IN %s "
                                                 "GROUP BY executor_id" % (_runs(pg_url), OWNED))))
    g2.kill()
    killed = time.time()
    _wait(lambda: _owned_by(pg_url, g2.gateway_name) == 0, lease + 20, "the survivors to take over")
    takeover = time.time() - killed
    assert takeover <= lease + 1 + 4, "takeover took %.1f s (lease %d s + one dispatch)" % (takeover, lease)
    _wait(lambda: _counts(pg_url).get("SUCCESS", 0) == n, 300, "every run to succeed")
    assert _counts(pg_url) == {"SUCCESS": n}

    # No step past its checkpoint ran twice: a second execution is allowed only
    # for a step the killed gateway was executing (at least once, by design).
    dups = dbq.query(pg_url, "SELECT workflow_id, tag, COUNT(*), SUM(CASE WHEN executor LIKE '%s/%%' "
                             "THEN 1 ELSE 0 END) FROM scale_effects GROUP BY workflow_id, tag "
                             "HAVING COUNT(*) > 1" % g2.gateway_name)
    assert all(int(c) == 2 and int(by_killed) >= 1 for _, _, c, by_killed in dups), dups
    assert len(dups) <= 6, dups  # at most one in-flight step per worker of the killed gateway
    steps = dbq.query(pg_url, "SELECT COUNT(*), COUNT(DISTINCT workflow_id) FROM %s "
                              "WHERE function_name = 'scale.effect'" % _table(pg_url, "operation_outputs"))
    assert (int(steps[0][0]), int(steps[0][1])) == (3 * n, n)
    assert _spans_never_overlap_per_partition(pg_url, "scale_effects") == 24
    by = dict((r[0], int(r[1])) for r in dbq.query(
        pg_url, "SELECT executor, COUNT(*) FROM scale_effects GROUP BY executor"))
    assert len(by) == 3, by  # all three gateways did work
    for gw in (g1, g3):
        assert gw.alive, gw.tail()


def test_a_paused_gateway_is_fenced_and_cannot_overwrite_the_run_taken_over(gwsim, pg_url):
    lease = 3
    g1 = gwsim.start("scale_gateway.py", pg_url, args=["producer", str(lease), "3", "0", "16", "300"])
    g1.wait_for(r"^READY", 120)
    _wait(lambda: int(dbq.scalar(pg_url, "SELECT COUNT(*) FROM scale_effects")) >= 6, 60, "runs to progress")
    g1.signal(signal.SIGSTOP)  # a long GC pause, a frozen VM, a split brain
    try:
        g2 = gwsim.start("scale_gateway.py", pg_url, args=["worker", str(lease)])
        g2.wait_for(r"^READY", 120)
        # Generous: the frozen gateway may hold row locks in an open transaction until
        # PostgreSQL ends it (idle_in_transaction_session_timeout, 10 s), then the
        # takeover retries at the next dispatch cycles; slow CI machines add to that.
        _wait(lambda: _owned_by(pg_url, g2.gateway_name) == 3, lease + 45, "gateway 2 to take the runs over")
        time.sleep(1.5)
    finally:
        g1.signal(signal.SIGCONT)
    _wait(lambda: _counts(pg_url).get("SUCCESS", 0) == 3, 120, "the runs to finish")
    rows = dbq.query(pg_url, "SELECT workflow_id, status, output, executor_id FROM %s" % _runs(pg_url))
    for wid, status, output, executor in rows:
        assert status == "SUCCESS" and '"k":16' in output.replace(" ", ""), rows
        assert executor.startswith(g2.gateway_name + "/"), "the fenced gateway finished %s" % wid
        ops = dbq.query(pg_url, "SELECT function_id FROM %s WHERE workflow_id = '%s' "
                                "ORDER BY function_id" % (_table(pg_url, "operation_outputs"), wid))
        assert [int(r[0]) for r in ops] == list(range(32)), "no duplicate or missing checkpoint"
    dups = dbq.query(pg_url, "SELECT workflow_id, tag, COUNT(*) FROM scale_effects GROUP BY workflow_id, tag "
                             "HAVING COUNT(*) > 1")
    assert len(dups) <= 3, dups  # at most the one step each run was executing when paused
    time.sleep(2)
    assert "left to recovery" in g1.stderr or not dups, g1.tail()
    assert g1.alive and g2.alive


@pytest.mark.parametrize("server_class", [PostgresServer, MariaDBServer],
                         ids=["postgresql", "mariadb"])
def test_postgres_restarting_repeatedly_loses_nothing_acknowledged(gwsim, server_class):
    seconds = float(os.environ.get("CHAOS_SECONDS", "14"))
    server = server_class().start()
    try:
        url = server.jdbc_url(server.create_database())
        g = gwsim.start("chaos_gateway.py", url, args=[str(seconds)])
        g.wait_for(r"^READY", 120)
        stop = threading.Event()
        restarts = []

        def monkey():
            rnd = random.Random(7)
            while not stop.wait(rnd.uniform(2.0, 4.0)):
                server.restart(mode=rnd.choice(["fast", "immediate"]), down_seconds=rnd.uniform(0.2, 1.5))
                restarts.append(time.time())

        t = threading.Thread(target=monkey)
        t.start()
        try:
            g.wait_for(r"^PRODUCED", seconds + 120)
        finally:
            stop.set()
            t.join(60)
        acked = [line.split()[1] for line in g.stdout.splitlines() if line.startswith("ACK ")]
        assert len(restarts) >= 3 and len(acked) >= 20, (restarts, len(acked), g.tail())

        def done():
            rows = dbq.query(url, "SELECT status, COUNT(*) FROM %s GROUP BY status" % _runs(url))
            return dict((r[0], int(r[1])) for r in rows).get("SUCCESS", 0) >= len(acked)
        _wait(done, 240, "every acknowledged run to succeed", every=1)
        ids = set(r[0] for r in dbq.query(url, "SELECT workflow_id FROM %s WHERE status = 'SUCCESS'" % _runs(url)))
        assert set(acked) <= ids, "lost: %s" % sorted(set(acked) - ids)[:5]
        effects = dbq.query(url, "SELECT COUNT(*), COUNT(DISTINCT workflow_id) FROM chaos_effects")
        assert int(effects[0][1]) >= len(acked) and int(effects[0][0]) == 3 * int(effects[0][1])
        assert g.alive, g.tail()
    finally:
        server.stop()
