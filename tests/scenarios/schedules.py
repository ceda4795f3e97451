"""Durable schedules on one gateway (issue 15 item 3): slots fire once each
with ids made of schedule and slot, each run carries its slot, pause /
resume / trigger / delete, overlap skip and queue, catch-up after every
gateway was down (the schedule row as a downtime leaves it: its next slot
minutes in the past), refusals, and the clock-change rules through
java.time (the same instants tests/unit/test_schedules.py gets from zoneinfo)."""
from __future__ import print_function

import datetime
import time

import exchange.workflows.api.admin as admin
import flows
import system
from exchange.workflows.core import zones
from exchange.workflows.engine import database, schedules
from wfkit import bad, check, dispatch, finish, ok, sql, svc, wait_for

flows.ensure_tables()
store = database.prepare(flows.DB)
SCHED = store.dialect.names["schedules"]
STATUS = store.dialect.names["status"]


def finished(wid, timeout=60):
    """The run's getWorkflow data once it ended SUCCESS."""
    return wait_for(lambda: _success(wid), timeout, what="%s to succeed" % wid)


def _success(wid):
    w = ok(svc.getWorkflow(wid))
    return w if w and w["status"] == "SUCCESS" else None


def work_span(wid):
    """When the run's work began and ended (its own steps' times: a row's
    startedMs is read before the claim waits for the queue's lock)."""
    finished(wid)
    times = dict((str(r[0]), int(r[1])) for r in sql(
        "SELECT tag, ts FROM app_effects WHERE workflow_id = ?", [wid]))
    return (times["before"], times["after"], wid)


def runs_of(name):
    rows = sql("SELECT workflow_id, status FROM %s WHERE created_by = ? ORDER BY workflow_id"
               % STATUS, ["schedule:" + name])
    return [(str(r[0]), str(r[1])) for r in rows]


def slot_of(wid):
    return ok(svc.getEvents(wid), "EVENTS_FOUND").get("schedule")


# -- java.time gives the clock-change rules the unit tests check with zoneinfo
NY = "America/New_York"
D = datetime.datetime
check(zones.fromLocal(D(2026, 3, 8, 2, 30), NY) == zones.fromLocal(D(2026, 3, 8, 7, 0), "UTC"),
      "a skipped wall-clock time is the instant of the jump")
check(zones.fromLocal(D(2026, 11, 1, 1, 30), NY) == zones.fromLocal(D(2026, 11, 1, 5, 30), "UTC"),
      "a repeated wall-clock time is its first occurrence")
check(zones.toLocal(zones.fromLocal(D(2026, 7, 1, 12, 0), NY), NY) == D(2026, 7, 1, 12, 0),
      "wall clock round trip")
check(len(schedules.defaultZone()) > 0, "the gateway's zone is known", schedules.defaultZone())

# -- refusals
IA = "INVALID_ARGUMENTS"
bad(admin.createSchedule("s.bad", "61 * * * *", "t.noop"), IA)
bad(admin.createSchedule("s.bad", "@every 2s", "t.noop", timezone="Mars/Base"), IA)
bad(admin.createSchedule("s.bad", "@every 2s", "t.noop", overlap="sometimes"), IA)
bad(admin.createSchedule("s.bad", "@every 2s", "t.noop", {"nope": 1}), IA)
bad(admin.createSchedule("s.bad", "@every 2s", "t.no.such.workflow"), "WORKFLOW_NOT_REGISTERED")
bad(admin.getSchedule("s.none"), "SCHEDULE_NOT_FOUND")
bad(admin.pauseSchedule("s.none"), "SCHEDULE_NOT_FOUND")

# -- every 2 s: each slot once, in order, with its slot recorded
made = ok(admin.createSchedule("s.tick", "@every 2s", "t.noop", {"x": 7}, timezone="UTC"),
          "SCHEDULE_CREATED")
check(made["enabled"] is True and len(made["upcoming"]) == 3 and made["inputs"] == {"x": 7},
      "created with its next slots", made)
bad(admin.createSchedule("s.tick", "@every 5s", "t.noop"), "SCHEDULE_EXISTS")
first = made["nextSlotMs"]
wait_for(lambda: len(runs_of("s.tick")) >= 3, 30, what="three slots of s.tick")
ok(admin.pauseSchedule("s.tick"), "SCHEDULE_PAUSED")
time.sleep(1.5)  # a cycle that was firing when the pause landed finishes
fired = runs_of("s.tick")
slots = [slot_of(w)["slotMs"] for w, _ in fired]
check(slots == sorted(set(slots)), "each slot once, in order", slots)
check(slots[0] == first and all(b - a == 2000 for a, b in zip(slots, slots[1:])),
      "no slot skipped between the first and the pause", slots)
check([w for w, _ in fired] == [schedules.runIdOf("s.tick", s) for s in slots],
      "run ids are made of schedule and slot", fired)
wait_for(lambda: all(s == "SUCCESS" for _, s in runs_of("s.tick")), 30, what="s.tick runs to end")
out = ok(svc.getWorkflow(fired[0][0]), "WORKFLOW_FOUND")
check(out["output"] == {"x": 7}, "the schedule's inputs reach the run", out["output"])
time.sleep(3)
check(len(runs_of("s.tick")) == len(fired), "a paused schedule fires nothing")
listed = ok(admin.listSchedules(), "SCHEDULES_LISTED")
tick = [s for s in listed if s["name"] == "s.tick"][0]
check(tick["enabled"] is False and tick["lastRunId"] == fired[-1][0], "listed with its last run",
      tick)
resumed = ok(admin.resumeSchedule("s.tick"), "SCHEDULE_RESUMED")
check(resumed["nextSlotMs"] > slots[-1] + 2000, "resumed from the next slot after now, no catch-up",
      resumed["nextSlotMs"], slots[-1])
trig = ok(admin.triggerSchedule("s.tick", reason="operator test"), "SCHEDULE_TRIGGERED")
finished(trig["workflowId"])
ok(admin.deleteSchedule("s.tick"), "SCHEDULE_DELETED")
count = len(runs_of("s.tick"))
time.sleep(2.5)
check(len(runs_of("s.tick")) == count, "a deleted schedule fires nothing")
bad(admin.getSchedule("s.tick"), "SCHEDULE_NOT_FOUND")

# -- overlap "skip": a run that lasts three slots makes the next two skip
ok(admin.createSchedule("s.skip", "@every 1s", "t.sleeper", {"total_ms": 2600}, timezone="UTC",
                        overlap="skip"), "SCHEDULE_CREATED")
wait_for(lambda: len(runs_of("s.skip")) >= 2, 30, what="two s.skip runs")
ok(admin.pauseSchedule("s.skip"), "SCHEDULE_PAUSED")
skip = ok(admin.getSchedule("s.skip"), "SCHEDULE_FOUND")
check(skip["skippedSlots"] >= 2, "slots skipped while the previous run was active", skip)
spans = sorted(work_span(wid) for wid, _ in runs_of("s.skip"))
check(all(b[0] >= a[1] for a, b in zip(spans, spans[1:])), "skip: runs never overlap", spans)

# -- overlap "queue": every slot gets its run, one at a time, in slot order
ok(admin.createSchedule("s.queue", "@every 1s", "t.sleeper", {"total_ms": 1500}, timezone="UTC",
                        overlap="queue"), "SCHEDULE_CREATED")
wait_for(lambda: len(runs_of("s.queue")) >= 3, 30, what="three s.queue runs")
ok(admin.pauseSchedule("s.queue"), "SCHEDULE_PAUSED")
queued = runs_of("s.queue")
check(ok(admin.getSchedule("s.queue"))["skippedSlots"] == 0, "queue skips nothing")
spans = sorted(work_span(wid) for wid, _ in queued)
check([s[2] for s in spans] == [w for w, _ in queued], "queue: runs in slot order", spans)
check(all(b[0] >= a[1] for a, b in zip(spans, spans[1:])), "queue: one at a time", spans)


# -- catch-up after every gateway was down for five minutes
def downtime(name, catch_up):
    made = ok(admin.createSchedule(name, "@every 10s", "t.noop", timezone="UTC",
                                   catchUp=catch_up, overlap="allow"), "SCHEDULE_CREATED")
    now = int(time.time() * 1000)
    missed_from = (now - 300000) // 10000 * 10000
    # What five minutes with no gateway leave behind: the next slot in the past.
    moved = system.db.runPrepUpdate(
        "UPDATE %s SET next_slot_ms = ? WHERE schedule_name = ? AND next_slot_ms = ?" % SCHED,
        [missed_from, name, made["nextSlotMs"]], flows.DB)
    check(moved == 1, "the schedule row as a downtime leaves it", moved)
    dispatch()
    ok(admin.pauseSchedule(name), "SCHEDULE_PAUSED")
    got = ok(admin.getSchedule(name), "SCHEDULE_FOUND")
    fired = [slot_of(w)["slotMs"] for w, _ in runs_of(name)]
    late = [s for s in fired if s < now - schedules.MISSED_AFTER_MS]
    return fired, late, got


fired, late, got = downtime("s.none", "none")
check(late == [] and 5 <= len(fired) <= 8 and got["skippedSlots"] >= 22, "catchUp none: missed slots "
      "skipped, the last minute's fired", fired, got["skippedSlots"])
fired, late, got = downtime("s.latest", "latest")
check(len(late) == 1 and 6 <= len(fired) <= 9 and got["skippedSlots"] >= 21, "catchUp latest: one missed slot fired", fired)
fired, late, got = downtime("s.all", "all")
check(len(late) >= 23 and got["skippedSlots"] == 0 and fired == sorted(set(fired)),
      "catchUp all: every missed slot fired once", len(fired), got["skippedSlots"])
wait_for(lambda: all(s == "SUCCESS" for _, s in runs_of("s.all")), 60, what="s.all runs to end")

# -- a workflow's secret inputs are masked where a schedule is shown
import secretflows  # noqa: E402,F401 - registers sec.login (secretInputs=["password"])
hidden = ok(admin.createSchedule("s.secret", "@daily", "sec.login",
                                 {"user": "op", "password": "hunter2-sched"}, timezone="UTC"),
            "SCHEDULE_CREATED")
shown = repr(hidden) + repr(ok(admin.listSchedules(), "SCHEDULES_LISTED"))
check("hunter2-sched" not in shown and hidden["inputs"]["user"] == "op",
      "a secret input is masked in the schedule's answers", hidden["inputs"])
ok(admin.deleteSchedule("s.secret"), "SCHEDULE_DELETED")

audit = sql("SELECT code FROM %s WHERE target LIKE 'schedule:%%'" % store.dialect.names["audit"])
codes = set(str(r[0]) for r in audit)
check(set(["SCHEDULE_CREATED", "SCHEDULE_PAUSED", "SCHEDULE_RESUMED", "SCHEDULE_TRIGGERED",
           "SCHEDULE_DELETED"]) <= codes, "schedule changes are audited", codes)
finish()
