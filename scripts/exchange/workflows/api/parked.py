"""Parked in-memory requests: ``exchange.workflows.api.parked``. Same envelope
as the service API.

An ``enqueueInMemory`` request that the database refuses at flush time
(or whose connection is gone from the gateway) is set aside, so that it
cannot block the requests queued behind it: it is counted in diagnostics
(``parkedRequests``), logged once, and kept here for an operator to retry
(after fixing the cause) or discard. See docs/service-api.md, "Parked
requests".

Every function takes ``session=self.session`` from a Perspective script;
listing needs the policy's "read" right, retry and discard its "admin"
right, and both are audited.
"""
from exchange.workflows.api import access
from exchange.workflows.api.envelope import guarded
from exchange.workflows.core import validate
from exchange.workflows.engine import parking
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import InvalidArguments
from exchange.workflows.core.validate import integer as _int

__all__ = ["listParked", "retryParked", "discardParked", "DEFAULT_DB"]

DEFAULT_DB = validate.DEFAULT_DB
_db = validate.dbNameOrDefault
_checkDb = validate.dbNameText


def _id(workflowId):
    return validate.existingId(workflowId, "the id of a parked request (see listParked)")


def listParked(limit=100, offset=0, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Lists the parked requests of ``dbName``, oldest first, and those this
    gateway keeps in memory because their connection was gone.

    Returns:
        PARKED_LISTED with data {rows, total, limit, offset, inMemory}; each
        request: workflowId, workflowName, queueName, reason, executorId,
        parkedMs, attempts, dbName, source ("database" or "memory") and
        request (the run it would create: inputs, priority, createdBy, ...);
        INVALID_ARGUMENTS; NOT_AUTHORIZED; DATABASE_*.
    """
    dbName = _db(dbName)

    def run():
        name = _checkDb(dbName)
        count = _int("limit", 100 if limit is None else limit, 1, 1000)
        skip = _int("offset", 0 if offset is None else offset, 0, 10 ** 9)
        access.require(access.caller(session), "read", name)
        data = parking.listParked(name, count, skip)
        return "PARKED_LISTED", "%d of %d parked requests; %d in memory." % (
            len(data["rows"]), data["total"], len(data["inMemory"])), data
    return guarded(run, dbName, "listParked", args, kwargs)


def retryParked(workflowId=None, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Makes a parked request a run again (ENQUEUED), under its own id, once
    the cause is fixed. A request whose id has a run already is not
    inserted again.

    Returns:
        PARKED_REQUEST_RETRIED with data {workflowId, status, dbName};
        WORKFLOW_ALREADY_STARTED (ok) when a run with its id exists: nothing
        inserted, the parked request removed; WORKFLOW_DEDUPLICATED (ok) when
        an active run holds its deduplication id: removed, as a flush would;
        PARKED_NOT_FOUND; PARKED_REQUEST_INVALID (it cannot become a run:
        discard it); PARKED_REQUEST_REFUSED (the database refused it again:
        it stays parked, with the new reason); UNKNOWN_DATABASE (its
        connection is still gone); INVALID_ARGUMENTS; NOT_AUTHORIZED; DATABASE_*.
    """
    dbName = _db(dbName)

    def run():
        name = _checkDb(dbName)
        wid = _id(workflowId)
        who = access.caller(session)
        access.require(who, "admin", name, workflowId=wid)
        code, data = parking.retry(name, wid)
        access.audit(who, "admin", name, code, workflowId=wid, target="retryParked")
        messages = {
            "PARKED_REQUEST_RETRIED": "Parked request %s is a queued run again." % wid,
            "WORKFLOW_ALREADY_STARTED": "A run with id %s exists; nothing was inserted." % wid,
            "WORKFLOW_DEDUPLICATED": "An active run holds the request's deduplicationId; "
                                     "nothing was inserted.",
        }
        return code, messages[code], data
    return guarded(run, dbName, "retryParked", args, kwargs)


def discardParked(workflowId=None, reason=None, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Deletes a parked request for good (it never becomes a run).

    Returns:
        PARKED_DISCARDED with data {workflowId, source}; PARKED_NOT_FOUND;
        INVALID_ARGUMENTS; NOT_AUTHORIZED; DATABASE_*.
    """
    dbName = _db(dbName)

    def run():
        name = _checkDb(dbName)
        wid = _id(workflowId)
        if reason is not None and (not isinstance(reason, TEXT) or len(reason) > 1000):
            raise InvalidArguments("reason must be a string of at most 1000 characters or None.")
        who = access.caller(session)
        access.require(who, "admin", name, workflowId=wid, reason=reason)
        data = parking.discard(name, wid, reason, who.user or who.source)
        access.audit(who, "admin", name, "PARKED_DISCARDED", workflowId=wid,
                     target="discardParked", reason=reason)
        return "PARKED_DISCARDED", "Parked request %s discarded." % wid, data
    return guarded(run, dbName, "discardParked", args, kwargs)
