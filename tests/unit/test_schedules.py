"""Schedule expressions (core/cron.py), wall-clock time across clock
changes (core/zones.py, here through zoneinfo; the gwsim scenario checks
the same instants through java.time) and which due slots fire
(engine/schedules.plan)."""
import datetime
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from exchange.workflows.core import cron, zones  # noqa: E402
from exchange.workflows.core.errors import InvalidArguments  # noqa: E402
from exchange.workflows.engine import schedules  # noqa: E402

D = datetime.datetime
NY = "America/New_York"


def _ms(text, zone="UTC"):
    return zones.fromLocal(D.strptime(text, "%Y-%m-%d %H:%M"), zone)


def _slots(expr, start, n, zone="UTC"):
    spec, out, t = cron.parse(expr), [], _ms(start, zone)
    for _ in range(n):
        t = schedules.nextSlot(spec, zone, t)
        out.append(zones.toLocal(t, zone).strftime("%Y-%m-%d %H:%M"))
    return out


@pytest.mark.parametrize("expr,start,expected", [
    ("*/15 * * * *", "2026-01-01 00:07", ["2026-01-01 00:15", "2026-01-01 00:30", "2026-01-01 00:45"]),
    ("0 6,14,22 * * *", "2026-01-01 07:00", ["2026-01-01 14:00", "2026-01-01 22:00", "2026-01-02 06:00"]),
    ("30 2 * * MON-FRI", "2026-01-02 03:00", ["2026-01-05 02:30", "2026-01-06 02:30", "2026-01-07 02:30"]),
    ("0 0 1 jan,jul *", "2026-02-01 00:00", ["2026-07-01 00:00", "2027-01-01 00:00", "2027-07-01 00:00"]),
    ("0 12 1 * 1", "2026-06-01 13:00", ["2026-06-08 12:00", "2026-06-15 12:00", "2026-06-22 12:00"]),
    ("0 0 * * 7", "2026-01-01 00:00", ["2026-01-04 00:00", "2026-01-11 00:00", "2026-01-18 00:00"]),
    ("@hourly", "2026-01-01 00:59", ["2026-01-01 01:00", "2026-01-01 02:00", "2026-01-01 03:00"]),
    ("0 0 29 2 *", "2026-01-01 00:00", ["2028-02-29 00:00", "2032-02-29 00:00", "2036-02-29 00:00"]),
    ("10-20/5 8 * * *", "2026-01-01 08:12", ["2026-01-01 08:15", "2026-01-01 08:20", "2026-01-02 08:10"]),
])
def test_cron_slots(expr, start, expected):
    assert _slots(expr, start, 3) == expected


@pytest.mark.parametrize("expr", ["", "* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *",
                                  "* * * 13 *", "* * * * 8", "5-1 * * * *", "*/0 * * * *",
                                  "x * * * *", "0 0 30 2 *", "@often", "@every 0s", "@every 2d",
                                  "@every 25h", None, 5])
def test_bad_expressions_are_refused_with_the_reason(expr):
    with pytest.raises(InvalidArguments):
        cron.parse(expr)


def test_every_fires_at_multiples_of_its_interval_whatever_the_zone():
    spec = cron.parse("@every 2s")
    assert schedules.nextSlot(spec, NY, 1001) == 2000
    assert schedules.nextSlot(spec, "UTC", 2000) == 4000
    assert cron.parse("@EVERY 5m").everyMs == 300000


def test_a_slot_in_the_skipped_hour_fires_once_at_the_jump():
    # 2026-03-08: New York's clocks go from 02:00 EST to 03:00 EDT.
    slots = _slots("*/30 * * * *", "2026-03-08 01:00", 3, NY)
    assert slots == ["2026-03-08 01:30", "2026-03-08 03:00", "2026-03-08 03:30"]
    daily = cron.parse("30 2 * * *")
    jump = schedules.nextSlot(daily, NY, _ms("2026-03-08 00:00", NY))
    assert zones.toLocal(jump, NY) == D(2026, 3, 8, 3, 0)
    assert jump == _ms("2026-03-08 07:00")  # 03:00 EDT


def test_a_slot_in_the_repeated_hour_fires_once_at_its_first_occurrence():
    # 2026-11-01: New York's clocks go from 02:00 EDT back to 01:00 EST.
    spec = cron.parse("30 1 * * *")
    first = schedules.nextSlot(spec, NY, _ms("2026-11-01 00:00", NY))
    assert first == _ms("2026-11-01 05:30")  # 01:30 EDT
    after = schedules.nextSlot(spec, NY, first)
    assert zones.toLocal(after, NY) == D(2026, 11, 2, 1, 30), "not again at 01:30 EST"
    hourly = cron.parse("0 * * * *")
    t, seen = _ms("2026-11-01 00:30", NY), []
    for _ in range(4):
        t = schedules.nextSlot(hourly, NY, t)
        seen.append(t)
    # 01:00 EDT, then 01:00 EST is the same wall-clock time again: not fired
    # (docs/schedules.md: use '@every 1h' or zone UTC for real-time hours).
    assert [s - seen[0] for s in seen] == [0, 7200000, 10800000, 14400000]
    assert schedules.nextSlot(cron.parse("@every 1h"), NY, seen[0]) - seen[0] == 3600000


def test_zone_names_are_checked():
    assert zones.check("Europe/Berlin") == "Europe/Berlin"
    for bad in ("Mars/Olympus", "", None, "x" * 65):
        with pytest.raises(InvalidArguments):
            zones.check(bad)


def test_plan_fires_on_time_slots_and_follows_catch_up_for_missed_ones():
    spec = cron.parse("@every 10s")
    now = 1000000
    missed_from = now - 5 * 60000  # five minutes of slots missed
    for catch_up, fired_missed in (("none", 0), ("latest", 1), ("all", 24)):
        p = schedules.plan(spec, "UTC", missed_from, catch_up, now)
        on_time = [s for s in p.fire if now - s <= schedules.MISSED_AFTER_MS]
        assert len(on_time) == 7 and len(p.fire) - len(on_time) == fired_missed, catch_up
        assert p.skipped == 31 - len(p.fire)
        assert p.nextSlotMs == 1010000
    assert schedules.plan(spec, "UTC", now - 10000, "none", now).fire == [now - 10000, now]


def test_plan_bounds_a_catch_up_of_years():
    spec = cron.parse("@every 1s")
    p = schedules.plan(spec, "UTC", 0, "all", 10 ** 9)
    assert len(p.fire) <= schedules.MAX_CATCH_UP + 61 and p.skipped > 0
    assert p.nextSlotMs > 10 ** 9


def test_run_ids_are_the_same_everywhere_and_valid():
    a = schedules.runIdOf("line 1 CIP", 1767225600000)
    assert a == schedules.runIdOf("line 1 CIP", 1767225600000) and len(a) <= 64
    assert a != schedules.runIdOf("line 2 CIP", 1767225600000)
    assert a < schedules.runIdOf("line 1 CIP", 1767225610000), "slot order is id order"
