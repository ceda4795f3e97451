"""Statements on ``schedules``: one row per durable schedule.

A slot fires through ``advance``: a conditional UPDATE from the next slot
the row names to the one after, in the transaction that inserts the slot's
run. Of any number of gateways that see the same due row, exactly one
moves it on; the others change nothing and insert nothing.
"""
from collections import namedtuple

from exchange.workflows.store.rows import plain

COLUMNS = ("schedule_name", "cron", "timezone", "workflow_name", "inputs", "queue_name",
           "overlap", "catch_up", "enabled", "next_slot_ms", "last_slot_ms", "last_run_id",
           "last_fired_ms", "skipped_slots", "last_error", "created_by", "created_ms",
           "updated_by", "updated_ms")
KEYS = ("name", "cron", "timezone", "workflowName", "inputs", "queueName", "overlap", "catchUp",
        "enabled", "nextSlotMs", "lastSlotMs", "lastRunId", "lastFiredMs", "skippedSlots",
        "lastError", "createdBy", "createdMs", "updatedBy", "updatedMs")

Schedule = namedtuple("Schedule", KEYS)

# What advance writes besides the next slot: the latest slot handled, the
# run it started (None: kept), slots skipped in this step, an error text.
Advance = namedtuple("Advance", "nextSlotMs lastSlotMs lastRunId skipped lastError")


def _schedules(ds):
    return [Schedule(*[plain(ds[i][j]) for j in range(len(COLUMNS))]) for i in range(len(ds))]


def create(store, values, tx=None):
    """Inserts a schedule (``values`` in COLUMNS order); returns 1, or 0
    when the name is taken."""
    return store.update(
        "INSERT INTO {schedules} (" + ", ".join(COLUMNS) + ") VALUES ("
        + ", ".join(["?"] * len(COLUMNS)) + ") ON CONFLICT DO NOTHING", list(values), tx)


def get(store, name, tx=None):
    found = _schedules(store.query("SELECT " + ", ".join(COLUMNS) + " FROM {schedules} "
                                   "WHERE schedule_name = ?", [name], tx))
    return found[0] if found else None


def page(store, limit, offset):
    ds = store.query("SELECT " + ", ".join(COLUMNS) + " FROM {schedules} "
                     "ORDER BY schedule_name LIMIT ? OFFSET ?", [limit, offset])
    return _schedules(ds)


def due(store, now, limit):
    """Enabled schedules whose next slot is at or before ``now``, oldest first."""
    ds = store.query("SELECT " + ", ".join(COLUMNS) + " FROM {schedules} "
                     "WHERE enabled = 1 AND next_slot_ms <= ? ORDER BY next_slot_ms LIMIT ?",
                     [now, limit])
    return _schedules(ds)


def advance(store, name, expectedNextMs, step, now, tx):
    """Moves the schedule from ``expectedNextMs`` on (an Advance); returns 1,
    or 0 when another gateway moved it first, or it was paused, edited or
    deleted meanwhile."""
    return store.update(
        "UPDATE {schedules} SET next_slot_ms = ?, "
        "last_slot_ms = COALESCE(?, last_slot_ms), last_run_id = COALESCE(?, last_run_id), "
        "last_fired_ms = CASE WHEN ? IS NULL THEN last_fired_ms ELSE ? END, "
        "skipped_slots = skipped_slots + ?, last_error = ?, updated_ms = ? "
        "WHERE schedule_name = ? AND enabled = 1 AND next_slot_ms = ?",
        [step.nextSlotMs, step.lastSlotMs, step.lastRunId, step.lastRunId, now, step.skipped,
         step.lastError, now, name, expectedNextMs], tx)


def setEnabled(store, name, enabled, nextSlotMs, by, now):
    """Pauses (enabled False) or resumes a schedule; a resumed schedule
    starts from ``nextSlotMs``. Returns how many rows changed."""
    return store.update(
        "UPDATE {schedules} SET enabled = ?, next_slot_ms = COALESCE(?, next_slot_ms), "
        "updated_by = ?, updated_ms = ? WHERE schedule_name = ?",
        [1 if enabled else 0, nextSlotMs, by, now, name])


def delete(store, name):
    return store.update("DELETE FROM {schedules} WHERE schedule_name = ?", [name])


def noteTriggered(store, name, runId, now, tx):
    """Records a run started by trigger-now (the slots stay as they were)."""
    return store.update(
        "UPDATE {schedules} SET last_run_id = ?, last_fired_ms = ?, updated_ms = ? "
        "WHERE schedule_name = ?", [runId, now, now, name], tx)

