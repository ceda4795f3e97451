"""Durable schedules (issue 15 item 3) through tools/gwsim on real Jython,
on SQLite and PostgreSQL; exactly one run per slot with three gateways on
PostgreSQL."""
import time

from tests.support import db as dbq


def test_schedules_fire_each_slot_once_and_follow_overlap_and_catch_up(gwsim, db_url):
    r = gwsim.run("schedules.py", db_url, timeout=300)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()


def test_three_gateways_start_exactly_one_run_per_slot(gwsim, make_db_url):
    url = make_db_url("postgresql")
    gateways = [gwsim.start("schedule_gateway.py", url, args=[str(i)]) for i in range(3)]
    for g in gateways:
        g.wait_for(r"^READY", 180)
    # Gateway 0 created the schedule; all three dispatch every second.
    time.sleep(30)
    for g in gateways:
        assert g.alive, g.tail()
    rows = dbq.query(url, "SELECT workflow_id, status FROM workflows.workflow_status "
                          "WHERE created_by = 'schedule:three'")
    slots = sorted(int(w.rsplit("-", 1)[1]) for w, _ in rows)
    assert len(slots) >= 12, slots
    assert len(slots) == len(set(slots)), "a slot fired twice: %s" % slots
    gaps = [b - a for a, b in zip(slots, slots[1:])]
    assert all(g == 2000 for g in gaps), "a slot was missed: %s" % gaps
    fired_by = dbq.query(url, "SELECT executor_id, COUNT(*) FROM workflows.workflow_status "
                              "WHERE created_by = 'schedule:three' GROUP BY executor_id")
    assert sum(int(n) for _, n in fired_by) == len(slots)
