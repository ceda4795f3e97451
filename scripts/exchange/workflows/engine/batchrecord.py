"""One run's batch record: everything the engine keeps about it, exported as
one JSON document or one CSV timeline; and the retention hold that keeps a
run's record when retention would delete it.

The export is built from the same reads as getWorkflow, getSteps,
getCommands, getEvents and readStream, so it is masked exactly as they are
(secret inputs by name, their values wherever they turn up). It is bounded:
past MAX_RECORDS rows or MAX_CHARS characters it is refused with
EXPORT_TOO_LARGE rather than built half-way, and the paged reads remain.
"""
import re

from exchange.workflows.core import clock, codec, states
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import NotFound, WorkflowsError
from exchange.workflows.engine import auditing, database, prompts, queries
from exchange.workflows.store import retention

FORMATS = ("json", "csv")
MAX_RECORDS = 50000
MAX_CHARS = 20000000
CSV_COLUMNS = ("atMs", "kind", "name", "value", "who", "reason")
_PAGE = queries.MAX_PAGE_LIMIT
_STREAM_PAGE = 5000
_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9_.-]")
# A spreadsheet runs a cell that starts with one of these as a formula: free
# text (a reason, a user or key name) gets a leading apostrophe in the CSV.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportTooLarge(WorkflowsError):
    code = "EXPORT_TOO_LARGE"


def _tooLarge(what):
    return ExportTooLarge(
        "This run's record is larger than one export holds (%d records or %d characters; "
        "reached while reading %s). Read it in pages instead: getSteps(limit, offset), "
        "getCommands(limit, offset), getEvents(history=True, limit, offset), "
        "readStream(afterOffset)." % (MAX_RECORDS, MAX_CHARS, what))


class _Budget(object):
    """How many more records the export may hold."""
    __slots__ = ("left",)

    def __init__(self, left):
        self.left = left

    def take(self, rows, what):
        self.left -= len(rows)
        if self.left < 0:
            raise _tooLarge(what)
        return rows


def _pages(fetch, budget, what):
    """Every row of a paged read (``fetch(limit, offset)``), in its order."""
    out, offset = [], 0
    while True:
        page = budget.take(fetch(_PAGE, offset), what)
        out.extend(page)
        if len(page) < _PAGE:
            return out
        offset += len(page)


def _streams(dbName, workflowId, budget):
    """Every stream value. readStream pages by offset, and the values one step
    wrote share its offset: a full page is kept up to its last offset, whose
    values the next page reads whole."""
    out, after = [], -1
    while True:
        page = queries.readStream(dbName, workflowId, None, after, _STREAM_PAGE)
        if len(page) < _STREAM_PAGE:
            out.extend(budget.take(page, "stream values"))
            return out
        whole = [v for v in page if v["offset"] != page[-1]["offset"]]
        if not whole:
            raise _tooLarge("stream values")
        out.extend(budget.take(whole, "stream values"))
        after = whole[-1]["offset"]


def _statusChanges(run):
    """The status changes the run's row tells: created, started, finished.
    (Commands carry when the engine took each one: consumedMs.)"""
    out = [{"atMs": run["createdMs"], "status": states.ENQUEUED, "by": run.get("createdBy"),
            "reason": None, "what": "created"}]
    if run.get("startedMs") is not None:
        out.append({"atMs": run["startedMs"], "status": states.RUNNING, "by": None,
                    "reason": None, "what": "started"})
    if run.get("finishedMs") is not None:
        error = run.get("error") if isinstance(run.get("error"), dict) else {}
        ended = error.get("type") in ("Cancelled", "Stopped", "Aborted")
        out.append({"atMs": run["finishedMs"], "status": run["status"],
                    "by": error.get("sender") if ended else None,
                    "reason": error.get("message") if ended else None, "what": "finished"})
    return out


def gather(dbName, workflowId, withAudit):
    """Returns the run's record as a dict (masked like every read).

    Args:
        withAudit: include the run's audit records (the caller may read the
            audit trail); otherwise ``audit`` is None.
    Raises:
        NotFound; ExportTooLarge; DatabaseUnavailable / DatabaseError.
    """
    budget = _Budget(MAX_RECORDS)
    run = queries.getWorkflow(dbName, workflowId)
    steps = _pages(lambda limit, offset: queries.getSteps(dbName, workflowId, limit, offset),
                   budget, "steps")
    history = _pages(lambda limit, offset: queries.getEventHistory(
        dbName, workflowId, limit, offset), budget, "event history")
    latest = queries.getEvents(dbName, workflowId)
    budget.take(latest, "events")
    commands = _pages(lambda limit, offset: queries.getCommands(
        dbName, workflowId, limit, offset), budget, "commands")
    changes = _transitions(dbName, workflowId, budget)
    streams = _streams(dbName, workflowId, budget)
    # One read: a run asks few questions; one more than the budget is refused.
    asked = budget.take(prompts.ofRun(dbName, workflowId, budget.left + 1), "prompts")
    audit = None
    if withAudit:
        audit = _pages(lambda limit, offset: [auditing.shown(r) for r in auditing.page(
            dbName, {"workflowId": workflowId}, limit, offset)[0]], budget, "audit records")
        audit.reverse()  # oldest first, as everything else
    return {"workflowId": workflowId, "exportedMs": clock.nowMs(), "run": run,
            "statusChanges": _statusChanges(run), "steps": steps,
            "events": {"latest": latest, "history": history}, "commands": commands,
            "transitions": changes, "streams": streams, "prompts": asked, "audit": audit}


def _transitions(dbName, workflowId, budget):
    """The run's transitions (getTransitions), each that ran a handler with
    the steps its handler recorded (getSteps with ``transition``): an
    onStop or onAbort that ran shows here, also after the run was resumed."""
    out = _pages(lambda limit, offset: queries.getTransitions(dbName, workflowId, limit, offset),
                 budget, "transitions")
    for t in out:
        t["steps"] = [] if t["handler"] is None else _pages(
            lambda limit, offset, seq=t["seq"]: queries.getSteps(
                dbName, workflowId, limit, offset, seq), budget, "handler steps")
    return out


def _json(value):
    return None if value is None else codec.encode(value)


def timeline(record):
    """The record as CSV rows (tuples in CSV_COLUMNS order), in time order;
    values are JSON texts. Rows of one instant keep the record's order."""
    rows = []
    run = record["run"]
    rows.append((run["createdMs"], "run", "inputs", _json(run.get("inputs")),
                 run.get("createdBy"), None))
    for change in record["statusChanges"]:
        rows.append((change["atMs"], "status", change["what"], _json(change["status"]),
                     change["by"], change["reason"]))
    if run.get("finishedMs") is not None:
        rows.append((run["finishedMs"], "run", "output" if run.get("error") is None else "error",
                     _json(run.get("output") if run.get("error") is None else run["error"]),
                     None, None))
    for s in record["steps"]:
        name = "%s %s" % (s["functionId"], s["functionName"])
        value = s["output"] if s.get("error") is None else {"error": s["error"]}
        rows.append((s["finishedMs"] if s["finishedMs"] is not None else s["startedMs"],
                     "step", name, _json(value), None, None))
    for e in record["events"]["history"]:
        rows.append((e["atMs"], "event", e["key"], _json(e["value"]), None, None))
    if not record["events"]["history"]:
        # A run recorded before event history existed: its latest values only.
        for key in sorted(record["events"]["latest"]):
            rows.append((None, "event", key, _json(record["events"]["latest"][key]), None, None))
    for c in record["commands"]:
        rows.append((c["createdMs"], "command", c["cmd"] if c["cmd"] is not None else c["topic"],
                     _json({"topic": c["topic"], "seq": c["seq"], "consumedMs": c["consumedMs"],
                            "consumedBy": c["consumedBy"], "outcome": c.get("outcome")}),
                     c["sender"], c["reason"]))
    for t in record.get("transitions") or ():
        name = "%s -> %s" % (t["fromStatus"], t["toStatus"])
        rows.append((t["startedMs"], "transition", name if t["handler"] is None
                     else "%s (%s)" % (name, t["handler"]),
                     _json({"seq": t["seq"], "cause": t["cause"], "command": t["command"],
                            "state": t["state"], "error": t["error"]}), t["sender"], t["reason"]))
        for s in t["steps"]:
            value = s["output"] if s.get("error") is None else {"error": s["error"]}
            rows.append((s["finishedMs"] if s["finishedMs"] is not None else s["startedMs"],
                         "handler step", "%s %s %s" % (t["handler"], s["functionId"],
                                                       s["functionName"]), _json(value),
                         None, None))
    for p in record.get("prompts") or ():
        rows.append((p["createdMs"], "prompt", p["key"], _json(p["prompt"]), None, None))
        if p["answeredMs"] is not None:
            value = p["answer"] if p["status"] == "ANSWERED" else {"status": p["status"]}
            rows.append((p["answeredMs"], "answer", p["key"], _json(value), p["answeredBy"],
                         p["answerReason"]))
    for v in record["streams"]:
        rows.append((v["createdMs"], "stream", "%s#%s" % (v["key"], v["offset"]),
                     _json(v["value"]), None, None))
    for a in record["audit"] or ():
        rows.append((a["atMs"], "audit", "%s %s" % (a["action"], a["target"] or ""),
                     _json({"code": a["code"], "allowed": a["allowed"], "source": a["source"]}),
                     a["userName"] or a["source"], a["reason"]))
    order = sorted(range(len(rows)), key=lambda i: (rows[i][0] is None, rows[i][0], i))
    return [rows[i] for i in order]


def _cell(value, freeText):
    if value is None:
        return ""
    if not isinstance(value, TEXT):
        value = str(value)
    if freeText and value.startswith(_FORMULA_START):
        value = "'" + value
    if any(ch in value for ch in (",", '"', "\r", "\n")):
        value = '"' + value.replace('"', '""') + '"'
    return value


def csvText(rows):
    """RFC 4180 CSV of ``rows`` under a CSV_COLUMNS header, CRLF line ends.
    Written here rather than with the csv module: Jython 2.7's csv does not
    take unicode, and every JDBC text is unicode."""
    lines = [",".join(CSV_COLUMNS)]
    for row in rows:
        # name, who and reason are free text; value is JSON (a string value
        # starts with a quote) and atMs a number.
        lines.append(",".join(_cell(v, i in (2, 4, 5)) for i, v in enumerate(row)))
    return "\r\n".join(lines) + "\r\n"


def fileName(workflowId, fmt):
    return "run-%s.%s" % (_UNSAFE_FILE_CHARS.sub("_", workflowId), fmt)


def export(dbName, workflowId, fmt, withAudit):
    """Returns {format, fileName, content} of the run's record.

    Raises:
        NotFound; ExportTooLarge; DatabaseUnavailable / DatabaseError.
    """
    record = gather(dbName, workflowId, withAudit)
    content = csvText(timeline(record)) if fmt == "csv" else codec.encode(record)
    if len(content) > MAX_CHARS:
        raise _tooLarge("the formatted %s" % fmt)
    return {"format": fmt, "fileName": fileName(workflowId, fmt), "content": content}


def setHold(dbName, workflowId, hold, by, reason):
    """Sets or clears the run's retention hold; returns {workflowId,
    retentionHold, status, by, reason, atMs}.

    Raises:
        NotFound: no such run.
    """
    now = clock.nowMs()
    status = retention.setHold(database.prepare(dbName), workflowId, hold, by, reason, now)
    if status is None:
        raise NotFound.run(workflowId, dbName)
    return {"workflowId": workflowId, "retentionHold": bool(hold), "status": status, "by": by,
            "reason": reason, "atMs": now}
