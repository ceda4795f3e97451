"""Durable schedules: a workflow started on a clock, once per slot however
many gateways share the database.

Each dispatch cycle asks the database for schedules whose next slot has
come (``fireDue``). Firing a slot is one transaction: a conditional UPDATE
that moves the schedule's next slot on (only one gateway's matches) and the
INSERT of the slot's run, whose id is made of the schedule and the slot, so
even a slot fired twice by hand could not make two runs. A run started by a
schedule carries the event ``schedule`` = {name, slotMs, slot} (its slot in
the schedule's time zone) from its first moment.

Slots missed while no gateway was running (noticed more than MISSED_AFTER_MS
late) follow the schedule's ``catchUp``: "none" skips them, "latest" fires
the most recent one, "all" fires each (at most MAX_CATCH_UP; older ones are
skipped and counted). ``overlap`` decides what a slot does while the
schedule's previous run is still active: "skip" (the slot is skipped and
counted), "queue" (it waits: the schedule's runs share a partition key, so
one runs at a time, in slot order) or "allow".
"""
import hashlib

from exchange.workflows.core import clock, codec, cron, logs, states, zones
from exchange.workflows.core.errors import ANY_ERROR, InvalidArguments, WorkflowsError, describe
from exchange.workflows.core.validate import text as _text
from exchange.workflows.engine import database, queries, registry, submit
from exchange.workflows.store import events, runs
from exchange.workflows.store import schedules as table
from exchange.workflows.store.schedules import Advance

try:
    from java.util import TimeZone
except ImportError:  # CPython: unit tests give a zone explicitly
    TimeZone = None

OVERLAP = ("skip", "queue", "allow")
CATCH_UP = ("none", "latest", "all")
# A slot noticed later than this after its time counts as missed (every
# gateway was down or stalled), and follows catchUp. On time, a slot is
# noticed within a dispatch period or two.
MISSED_AFTER_MS = 60000
MAX_CATCH_UP = 1000
# Due schedules fired per dispatch cycle; the rest wait a cycle.
FIRE_PER_CYCLE = 20
EVENT_KEY = "schedule"
PARTITION_PREFIX = "schedule:"
CREATED_BY_PREFIX = "schedule:"


class ScheduleExists(WorkflowsError):
    code = "SCHEDULE_EXISTS"


class ScheduleNotFound(WorkflowsError):
    code = "SCHEDULE_NOT_FOUND"


def defaultZone():
    """The gateway's own time zone (what its clock shows operators)."""
    return TimeZone.getDefault().getID() if TimeZone is not None else "UTC"


def nextSlot(spec, zone, afterMs):
    """The first slot of ``spec`` later than epoch ms ``afterMs``, as epoch
    ms; None when the spec never fires again."""
    if spec.kind == "every":
        return (int(afterMs) // spec.everyMs + 1) * spec.everyMs
    local = zones.toLocal(afterMs, zone)
    # Past a clock change, a later wall-clock time can be an earlier instant
    # (the repeated hour): such slots were fired at their first occurrence.
    for _ in range(2000):
        local = cron.nextLocal(spec, local)
        if local is None:
            return None
        ms = zones.fromLocal(local, zone)
        if ms > afterMs:
            return ms
    return None


class Plan(object):
    """What one look at a due schedule decides: the slots to fire, how many
    are skipped, and the next slot after ``now``."""
    __slots__ = ("fire", "skipped", "nextSlotMs")

    def __init__(self, fire, skipped, nextSlotMs):
        self.fire = fire
        self.skipped = skipped
        self.nextSlotMs = nextSlotMs


def plan(spec, zone, firstDueMs, catchUp, now):
    """Decides which due slots (from ``firstDueMs`` up to ``now``) fire."""
    due, slot = [], firstDueMs
    while slot is not None and slot <= now and len(due) <= MAX_CATCH_UP:
        due.append(slot)
        slot = nextSlot(spec, zone, slot)
    if slot is not None and slot <= now:  # more than MAX_CATCH_UP behind
        slot = nextSlot(spec, zone, now)
        extra = 1  # at least one more was skipped; not counted one by one
    else:
        extra = 0
    onTime = [s for s in due if now - s <= MISSED_AFTER_MS]
    missed = [s for s in due if now - s > MISSED_AFTER_MS]
    if catchUp == "all":
        fire = missed[-MAX_CATCH_UP:] + onTime
    elif catchUp == "latest":
        fire = missed[-1:] + onTime
    else:
        fire = onTime
    return Plan(fire, len(due) - len(fire) + extra, slot)


def runIdOf(name, slotMs):
    """The run id of ``name``'s slot: the same on every gateway."""
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:16]
    return "sched-%s-%013d" % (digest, int(slotMs))


def _slotText(slotMs, zone):
    local = zones.toLocal(slotMs, zone)
    return "%s %s" % (local.isoformat(), zone)


def fireDue(store, now):
    """Fires the due slots of up to FIRE_PER_CYCLE schedules; returns how
    many runs this gateway started. A schedule whose workflow this gateway
    does not have is left to a gateway that has it."""
    started = 0
    for schedule in table.due(store, now, FIRE_PER_CYCLE):
        if registry.get(schedule.workflowName) is None:
            continue
        try:
            started += _fire(store, schedule, now)
        except ANY_ERROR as e:
            # One bad schedule must not stop the others or the cycle.
            logs.get("schedules").warnf("schedule %s: %s", schedule.name, describe(e))
    return started


def _fire(store, schedule, now):
    spec = cron.parse(schedule.cron)
    decided = plan(spec, schedule.timezone, schedule.nextSlotMs, schedule.catchUp, now)
    rows, skipped, error = [], decided.skipped, None
    active = schedule.overlap == "skip" and _isActive(store, schedule.lastRunId)
    for slot in decided.fire:
        if active:
            skipped += 1
            continue
        try:
            rows.append((slot, _row(schedule, slot)))
        except InvalidArguments as e:
            # The workflow changed under the schedule (an input renamed):
            # the slot is skipped with the reason, the schedule goes on.
            skipped += 1
            error = str(e)
        active = schedule.overlap == "skip"
    lastSlot = decided.fire[-1] if decided.fire else None
    lastRun = rows[-1][1][0] if rows else None
    step = Advance(decided.nextSlotMs, lastSlot, lastRun, skipped, error)
    with store.transaction() as tx:
        if table.advance(store, schedule.name, schedule.nextSlotMs, step, now, tx) != 1:
            return 0  # another gateway fired it, or it was paused or deleted
        for slot, row in rows:
            if runs.insert(store, [row], tx) == 1:
                events.setEvent(store, row[0], EVENT_KEY, -1, _slotEvent(schedule, slot), now, tx)
    return len(rows)


def _slotEvent(schedule, slot):
    return codec.encode({"name": schedule.name, "slotMs": slot,
                         "slot": _slotText(slot, schedule.timezone)})


def _row(schedule, slot, workflowId=None):
    partition = PARTITION_PREFIX + schedule.name if schedule.overlap == "queue" else None
    inputs = codec.decode(schedule.inputs) if schedule.inputs else {}
    _wid, row = submit.build(schedule.workflowName, inputs, schedule.queueName, partition, 0,
                             None, None, None, CREATED_BY_PREFIX + schedule.name,
                             workflowId or runIdOf(schedule.name, slot))
    return row


def _isActive(store, runId):
    if not runId:
        return False
    found = runs.get(store, runId)
    return found is not None and found["status"] in states.ACTIVE


# -- administration (api/schedules.py checks rights and audits) -------------------------

def create(dbName, name, cronText, workflowName, inputs, queueName, zone, overlap, catchUp,
           enabled, by):
    """Creates a schedule; returns it as a dict. The first slot is the
    first one after now: a new schedule catches up nothing."""
    _text("name", name, 200, required=True)
    spec = cron.parse(cronText)
    zone = zones.check(zone if zone is not None else defaultZone())
    if overlap not in OVERLAP:
        raise InvalidArguments("overlap must be one of %s." % ", ".join(OVERLAP))
    if catchUp not in CATCH_UP:
        raise InvalidArguments("catchUp must be one of %s." % ", ".join(CATCH_UP))
    if not isinstance(enabled, bool):
        raise InvalidArguments("enabled must be True or False.")
    # The inputs are checked against the workflow now, as a start would.
    _wid, row = submit.build(workflowName, inputs, queueName, None, 0, None, None, None, by,
                             runIdOf(name, 0))
    now = clock.nowMs()
    first = nextSlot(spec, zone, now)
    store = database.prepare(dbName)
    values = (name, spec.text, zone, workflowName, row[8], queueName, overlap, catchUp,
              1 if enabled else 0, first, None, None, None, 0, None, by, now, by, now)
    if table.create(store, values) != 1:
        raise ScheduleExists("A schedule named %r exists already; delete it first or choose "
                             "another name." % (name,))
    return view(table.get(store, name), now)


def require(store, name):
    _text("name", name, 200, required=True)
    found = table.get(store, name)
    if found is None:
        raise ScheduleNotFound("No schedule named %r." % (name,))
    return found


def get(dbName, name):
    return view(require(database.prepare(dbName), name), clock.nowMs())


def page(dbName, limit, offset):
    now = clock.nowMs()
    return [view(s, now) for s in table.page(database.prepare(dbName), limit, offset)]


def setEnabled(dbName, name, enabled, by):
    """Pauses or resumes. A resumed schedule goes on from its next slot
    after now: slots that fell while it was paused are not caught up."""
    store = database.prepare(dbName)
    found = require(store, name)
    now = clock.nowMs()
    nextMs = nextSlot(cron.parse(found.cron), found.timezone, now) if enabled else None
    table.setEnabled(store, name, enabled, nextMs, by, now)
    return view(table.get(store, name), now)


def delete(dbName, name):
    store = database.prepare(dbName)
    require(store, name)
    table.delete(store, name)


def triggerNow(dbName, name, by):
    """Starts the schedule's workflow now, outside its slots (the next slot
    stays as it was); overlap "queue" still makes it wait its turn.
    Returns the new run's id."""
    store = database.prepare(dbName)
    found = require(store, name)
    now = clock.nowMs()
    wid = "%s-now-%013d" % (runIdOf(name, 0)[:22], now)
    row = _row(found, now, wid)
    with store.transaction() as tx:
        if runs.insert(store, [row], tx) == 1:
            events.setEvent(store, wid, EVENT_KEY, -1, codec.encode(
                {"name": name, "slotMs": None, "triggeredBy": by,
                 "slot": _slotText(now, found.timezone)}), now, tx)
            table.noteTriggered(store, name, wid, now, tx)
    return wid


def view(schedule, now):
    """A schedule as the API shows it: its row, the next slots, decoded inputs."""
    out = dict(zip(table.KEYS, schedule))
    out["enabled"] = bool(schedule.enabled)
    # Shown as a run's inputs are: the workflow's secret inputs masked.
    out["inputs"] = queries.shownInputs(schedule.workflowName,
                                        codec.decode(schedule.inputs) if schedule.inputs else {})
    upcoming, slot = [], schedule.nextSlotMs
    if schedule.enabled and slot is not None:
        spec = cron.parse(schedule.cron)
        for _ in range(3):
            if slot is None:
                break
            upcoming.append({"slotMs": slot, "slot": _slotText(slot, schedule.timezone)})
            slot = nextSlot(spec, schedule.timezone, max(slot, now))
    out["upcoming"] = upcoming
    return out

