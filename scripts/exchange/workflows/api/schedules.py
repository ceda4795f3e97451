"""Durable schedules, also reachable as ``exchange.workflows.api.admin``
functions (createSchedule, listSchedules, ...). Same envelope and rights as
the rest of admin: changes need "admin" and are audited; reads need "read".
What a schedule guarantees is in docs/schedules.md and engine/schedules.py.
"""
from exchange.workflows.api import access
from exchange.workflows.api.envelope import guarded
from exchange.workflows.core import validate
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import InvalidArguments
from exchange.workflows.core.validate import integer as _int
from exchange.workflows.engine import schedules

DEFAULT_DB = validate.DEFAULT_DB
DEFAULT_QUEUE = "default"

__all__ = ["createSchedule", "listSchedules", "getSchedule", "pauseSchedule", "resumeSchedule",
           "deleteSchedule", "triggerSchedule", "DEFAULT_DB", "DEFAULT_QUEUE"]

_db = validate.dbNameOrDefault


def _caller(session, dbName, action, target):
    validate.dbNameText(dbName)
    who = access.caller(session)
    access.require(who, action, dbName, target=target)
    return who


def _audit(who, dbName, code, name):
    access.audit(who, "admin", dbName, code, target="schedule:%s" % name)


def createSchedule(name=None, cron=None, workflowName=None, inputs=None, queueName=DEFAULT_QUEUE,
                   timezone=None, overlap="skip", catchUp="none", enabled=True, dbName=DEFAULT_DB,
                   session=None, *args, **kwargs):
    """Creates a durable schedule: ``workflowName`` started with ``inputs``
    at every slot of ``cron`` (5-field cron, ``@daily``-style names or
    ``@every 30s``) in ``timezone`` (default: this gateway's), exactly once
    per slot across every gateway sharing the database.

    Args:
        overlap: "skip" (default: a slot whose previous run is still active
            is skipped), "queue" (it waits its turn) or "allow".
        catchUp: slots missed while every gateway was down: "none"
            (default: skipped), "latest" (the most recent runs) or "all".
    Returns:
        SCHEDULE_CREATED with the schedule and its next slots;
        SCHEDULE_EXISTS; WORKFLOW_NOT_REGISTERED; INVALID_ARGUMENTS.
    """
    dbName = _db(dbName)

    def run():
        who = _caller(session, dbName, "admin", "createSchedule")
        data = schedules.create(dbName, name, cron, workflowName, inputs,
                                DEFAULT_QUEUE if queueName is None else queueName,
                                timezone, "skip" if overlap is None else overlap,
                                "none" if catchUp is None else catchUp,
                                True if enabled is None else enabled, access.actor(who))
        _audit(who, dbName, "SCHEDULE_CREATED", name)
        return "SCHEDULE_CREATED", "Schedule %s created." % name, data
    return guarded(run, dbName, "createSchedule", args, kwargs)


def listSchedules(limit=100, offset=0, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Returns SCHEDULES_LISTED: a page of schedules by name, each with its
    last slot, last run, skipped slots and next slots."""
    dbName = _db(dbName)

    def run():
        _caller(session, dbName, "read", "listSchedules")
        rows = schedules.page(dbName, _int("limit", 100 if limit is None else limit, 1, 1000),
                              _int("offset", 0 if offset is None else offset, 0, 10 ** 9))
        return "SCHEDULES_LISTED", "%d schedules." % len(rows), rows
    return guarded(run, dbName, "listSchedules", args, kwargs)


def getSchedule(name=None, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Returns SCHEDULE_FOUND with one schedule; SCHEDULE_NOT_FOUND."""
    dbName = _db(dbName)

    def run():
        _caller(session, dbName, "read", "getSchedule")
        return "SCHEDULE_FOUND", "Schedule %s." % name, schedules.get(dbName, name)
    return guarded(run, dbName, "getSchedule", args, kwargs)


def _setEnabled(name, enabled, dbName, session, args, kwargs, function, code):
    dbName = _db(dbName)

    def run():
        who = _caller(session, dbName, "admin", function)
        data = schedules.setEnabled(dbName, name, enabled, access.actor(who))
        _audit(who, dbName, code, name)
        return code, "Schedule %s %s." % (name, "resumed" if enabled else "paused"), data
    return guarded(run, dbName, function, args, kwargs)


def pauseSchedule(name=None, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Stops firing (its row and history stay). Returns SCHEDULE_PAUSED."""
    return _setEnabled(name, False, dbName, session, args, kwargs, "pauseSchedule",
                       "SCHEDULE_PAUSED")


def resumeSchedule(name=None, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Fires again from the next slot after now: slots that fell while it was
    paused are not caught up. Returns SCHEDULE_RESUMED."""
    return _setEnabled(name, True, dbName, session, args, kwargs, "resumeSchedule",
                       "SCHEDULE_RESUMED")


def deleteSchedule(name=None, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Deletes a schedule; its runs stay. Returns SCHEDULE_DELETED."""
    dbName = _db(dbName)

    def run():
        who = _caller(session, dbName, "admin", "deleteSchedule")
        schedules.delete(dbName, name)
        _audit(who, dbName, "SCHEDULE_DELETED", name)
        return "SCHEDULE_DELETED", "Schedule %s deleted." % name, {"name": name}
    return guarded(run, dbName, "deleteSchedule", args, kwargs)


def triggerSchedule(name=None, reason=None, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Starts the schedule's workflow now, outside its slots. Returns
    SCHEDULE_TRIGGERED with {workflowId}."""
    dbName = _db(dbName)

    def run():
        if reason is not None and (not isinstance(reason, TEXT) or len(reason) > 1000):
            raise InvalidArguments("reason must be a string of at most 1000 characters or None.")
        who = _caller(session, dbName, "admin", "triggerSchedule")
        wid = schedules.triggerNow(dbName, name, access.actor(who))
        access.audit(who, "admin", dbName, "SCHEDULE_TRIGGERED", workflowId=wid,
                     target="schedule:%s" % name, reason=reason)
        return "SCHEDULE_TRIGGERED", "Schedule %s started run %s." % (name, wid), {
            "workflowId": wid, "name": name}
    return guarded(run, dbName, "triggerSchedule", args, kwargs)
