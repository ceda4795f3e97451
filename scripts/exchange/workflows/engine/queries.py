"""Read-side views for operators: one run, lists, steps, mailbox, events."""
from exchange.workflows.engine import codec, database, states
from exchange.workflows.engine.errors import InvalidArguments, NotFound
from exchange.workflows.store import checkpoints, events, mailbox, runs

_JSON_FIELDS = ("inputs", "output", "error", "progress")


def _decoded(row):
    for key in _JSON_FIELDS:
        if key in row and row[key] is not None:
            try:
                row[key] = codec.decode(row[key])
            except ValueError:
                pass
    return row


def _require(dbName, d, workflowId):
    row = runs.get(dbName, d, workflowId)
    if row is None:
        raise NotFound("No workflow with id %r in database '%s'." % (workflowId, dbName))
    return row


def getWorkflow(dbName, workflowId):
    d = database.prepare(dbName)
    row = _decoded(_require(dbName, d, workflowId))
    row["finished"] = row["status"] in states.FINISHED
    return row


def listRuns(dbName, filters, limit, offset):
    statuses = filters.get("status")
    for s in statuses or ():
        if s not in states.ALL:
            raise InvalidArguments("Unknown status %r; statuses are %s." % (s, ", ".join(states.ALL)))
    d = database.prepare(dbName)
    rows, total = runs.listRuns(dbName, d, filters, limit, offset)
    return {"rows": [_decoded(r) for r in rows], "total": total, "limit": limit, "offset": offset}


def getSteps(dbName, workflowId):
    d = database.prepare(dbName)
    _require(dbName, d, workflowId)
    out = []
    for rec in checkpoints.load(dbName, d, workflowId):
        rec = _decoded(rec)
        if rec["startedMs"] is not None and rec["finishedMs"] is not None:
            rec["durationMs"] = rec["finishedMs"] - rec["startedMs"]
        out.append(rec)
    return out


def getCommands(dbName, workflowId):
    d = database.prepare(dbName)
    _require(dbName, d, workflowId)
    out = []
    for msg in mailbox.history(dbName, d, workflowId):
        payload = codec.decode(msg.pop("payload"))
        msg["cmd"] = payload.get("cmd")
        out.append(msg)
    return out


def getEvents(dbName, workflowId):
    d = database.prepare(dbName)
    _require(dbName, d, workflowId)
    return dict((e["key"], codec.decode(e["value"])) for e in events.getEvents(dbName, d, workflowId))


def readStream(dbName, workflowId, key, afterOffset, limit):
    d = database.prepare(dbName)
    _require(dbName, d, workflowId)
    rows = events.readStream(dbName, d, workflowId, key, afterOffset, limit)
    for r in rows:
        r["value"] = codec.decode(r["value"])
    return rows


def queueStatus(dbName, queueName):
    d = database.prepare(dbName)
    return runs.queueCounts(dbName, d, queueName)


def listQueues(dbName):
    d = database.prepare(dbName)
    return runs.listQueues(dbName, d)
