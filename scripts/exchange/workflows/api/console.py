"""Presentation logic of the Perspective operator console: pure functions.

The views under ``exchange/workflows/`` call ``exchange.workflows.api.service``,
``exchange.workflows.api.admin`` and ``exchange.workflows.api.security`` for
data and actions, always with ``session=self.session`` (the session's identity
decides what it may do: api/access.py), and this module to validate what an
operator typed and to turn envelopes into table rows and labels. A button is
enabled only when the run's state allows the command AND the policy lets the
session send it (``permissions``). Nothing here touches the database, the runtime or ``system``, so every
rule a view relies on (which buttons are enabled for a status, whether a JSON
input is acceptable, how a page of runs is labelled) is unit-tested on CPython.

Values may arrive from Perspective as Java objects (``java.util.Date``,
``java.lang.Long``, property wrappers); the helpers accept those as well as
plain Python values. Times are shown in the gateway's local time zone.
"""
import json
import time

from exchange.workflows.core import states
from exchange.workflows.core.codec import TEXT
from exchange.workflows.engine.policy import ACTIONS
from exchange.workflows.core.validate import INTS

# HOLD parks a run at its next safe point; RESUME releases it; STOP ends it
# STOPPED; Cancel ends it CANCELLED. Which statuses each may be sent in:
COMMAND_STATES = {
    "HOLD": (states.PENDING, states.RUNNING),
    "RESUME": (states.HELD,),
    "STOP": states.ACTIVE,
    "CANCEL": states.ACTIVE,
}
COMMAND_TITLES = {"HOLD": "Hold", "RESUME": "Resume", "STOP": "Stop", "CANCEL": "Cancel"}
# The policy action each command needs (api/service.py asks the same).
COMMAND_ACTIONS = {"HOLD": "hold", "RESUME": "hold", "STOP": "stop", "CANCEL": "stop"}
PAGE_SIZE = 50
# The status filter offers these groups before the single statuses ("" = any).
STATUS_GROUPS = (("All statuses", ""), ("Active (queued, running, held)", "ACTIVE"),
                 ("Finished", "FINISHED"))
_GROUP_STATUSES = {"ACTIVE": list(states.ACTIVE), "FINISHED": list(states.FINISHED)}
_BAR_WIDTH = 24

_TEXT = TEXT
_INTS = INTS


# -- small conversions -----------------------------------------------------------------------
def unwrap(value):
    """Returns the plain value of a Perspective QualifiedValue (other values unchanged)."""
    if hasattr(value, "getQuality") and hasattr(value, "getValue"):
        return value.getValue()
    return value


def text(value):
    """Returns ``value`` as stripped text, or None when it is empty or None."""
    value = unwrap(value)
    if value is None:
        return None
    value = value if isinstance(value, _TEXT) else str(value)
    value = value.strip()
    return value or None


def toMillis(value):
    """Returns epoch milliseconds for a date input's value (java.util.Date,
    number or digit string), or None when nothing is set."""
    value = unwrap(value)
    if value is None or value == "":
        return None
    if hasattr(value, "getTime"):
        return int(value.getTime())
    if isinstance(value, bool):
        return None
    if isinstance(value, _INTS + (float,)):
        return int(value)
    try:
        return int(text(value))
    except (TypeError, ValueError):
        return None


def number(value, kind):
    """Returns ``kind(value)`` for numbers and numeric text, None when empty;
    raises ValueError for anything else."""
    value = unwrap(value)
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, _INTS + (float,)):
        return kind(value)
    if hasattr(value, "doubleValue"):  # java.lang.Number, BigDecimal
        return kind(value.doubleValue())
    raw = text(value)
    if raw is None:
        return None
    number = float(raw)
    if kind is int and number != int(number):
        raise ValueError(raw)
    return kind(number)


def formatTime(ms):
    """Returns ``YYYY-MM-DD HH:MM:SS`` (gateway local time) for epoch ms, or ""."""
    if ms is None:
        return ""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(int(ms) / 1000.0))


def formatDuration(ms):
    """Returns a short duration text: ``850 ms``, ``12.3 s``, ``4 min 05 s``, ``2 h 03 min``."""
    if ms is None:
        return ""
    ms = int(ms)
    if ms < 1000:
        return "%d ms" % ms
    if ms < 60000:
        return "%.1f s" % (ms / 1000.0)
    seconds = ms // 1000
    if seconds < 3600:
        return "%d min %02d s" % (seconds // 60, seconds % 60)
    return "%d h %02d min" % (seconds // 3600, (seconds % 3600) // 60)


def prettyJson(value):
    """Returns indented JSON text for a stored value ("" for None)."""
    if value is None:
        return ""
    try:
        return json.dumps(value, indent=2, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return str(value)


def envelopeText(envelope):
    """Returns the one-line status text shown after an action: ``CODE: message``."""
    if not envelope:
        return ""
    return "%s: %s" % (envelope.get("code"), envelope.get("message"))


def options(envelope):
    """Returns the ``[{label, value}]`` options of a listing envelope, [] on failure."""
    if not envelope or not envelope.get("ok"):
        return []
    return [{"label": o["label"], "value": o["value"]} for o in envelope.get("data") or []]


def statusOptions():
    """Returns the status filter's options: all, active, finished, then each
    status in lifecycle order."""
    return [{"label": label, "value": value} for label, value in STATUS_GROUPS] + [
        {"label": s, "value": s} for s in states.ALL]


def permissions(envelope):
    """Returns {action: bool} from ``security.allowedActions``; every action
    False when the answer is a failure (show nothing the session may not do)."""
    data = envelope.get("data") if envelope and envelope.get("ok") else None
    data = data or {}
    return dict((a, bool(unwrap(field(data, a)))) for a in ACTIONS)


# -- run list ----------------------------------------------------------------------------------
def field(form, key):
    try:
        return form[key]
    except (KeyError, TypeError, IndexError):
        return None


def runQuery(value):
    """Returns the ``service.listRuns`` keyword arguments for the run list's
    filters, plus ``key``, a text naming the filters.

    The page offset applies only while the filters are those it was chosen
    for (``offsetKey`` == ``key``): changing a filter starts at the first page.

    Args:
        value: dict-like with ``status`` (a status, ACTIVE, FINISHED or ""),
            ``workflowName``, ``queueName``, ``since``/``until`` (dates or
            ms), ``offset`` and ``offsetKey``.
    """
    status = text(field(value, "status"))
    statuses = _GROUP_STATUSES.get(status, [status] if status else None)
    query = {"status": statuses, "workflowName": text(field(value, "workflowName")),
             "queueName": text(field(value, "queueName")),
             "sinceMs": toMillis(field(value, "since")), "untilMs": toMillis(field(value, "until")),
             "limit": PAGE_SIZE}
    key = json.dumps(query, sort_keys=True)
    try:
        offset = max(0, number(field(value, "offset"), int) or 0)
    except ValueError:
        offset = 0
    query["offset"] = offset if text(field(value, "offsetKey")) == key else 0
    query["key"] = key
    return query


def runList(envelope, key=""):
    """Returns the run table model: rows, the page label, the paging offsets and
    ``key`` (the filters the page belongs to, from ``runQuery``)."""
    if not envelope or not envelope.get("ok"):
        return {"rows": [], "pageText": "", "hasPrevious": False, "hasNext": False,
                "previousOffset": 0, "nextOffset": 0, "key": key,
                "message": envelopeText(envelope)}
    data = envelope["data"]
    total, limit, offset = data["total"], data["limit"], data["offset"]
    rows = [{"workflowId": r.get("workflowId"), "workflowName": r.get("workflowName"),
             "status": r.get("status"), "queueName": r.get("queueName"),
             "partitionKey": r.get("partitionKey") or "", "created": formatTime(r.get("createdMs")),
             "duration": _runDuration(r), "progress": progressText(r.get("progress"))}
            for r in data["rows"]]
    first = offset + 1 if rows else 0
    return {"rows": rows, "pageText": "Runs %d-%d of %d" % (first, offset + len(rows), total),
            "hasPrevious": offset > 0, "hasNext": offset + len(rows) < total,
            "previousOffset": max(0, offset - limit), "nextOffset": offset + limit,
            "key": key, "message": envelope.get("message")}


def _runDuration(run):
    started = run.get("startedMs")
    if started is None:
        return ""
    end = run.get("finishedMs") or run.get("updatedMs")
    return formatDuration(end - started) if end is not None else ""


def progressText(progress):
    """Returns the text of a run's last ``rt.progress`` record, or ""."""
    if not progress:
        return ""
    if isinstance(progress, dict):
        return text(progress.get("message")) or ""
    return str(progress)


def rowWorkflowId(row):
    """Returns the workflowId of a clicked table row (or None)."""
    try:
        return text(row["workflowId"])
    except (KeyError, TypeError, IndexError):
        return None


# -- start form --------------------------------------------------------------------------------
def parseInputs(raw):
    """Validates the start form's JSON inputs before submit.

    Returns:
        {"ok": True, "message": "", "inputs": dict} for a JSON object (empty
        text means {}); {"ok": False, "message": why, "inputs": None} otherwise.
    """
    raw = text(raw)
    if raw is None:
        return {"ok": True, "message": "", "inputs": {}}
    try:
        value = json.loads(raw)
    except ValueError as e:
        return {"ok": False, "message": "Inputs are not valid JSON: %s" % e, "inputs": None}
    if not isinstance(value, dict):
        return {"ok": False, "message": "Inputs must be a JSON object such as {\"batch\": \"B1\"}, "
                "not %s." % type(value).__name__, "inputs": None}
    return {"ok": True, "message": "", "inputs": value}


def startRequest(form):
    """Checks the start form and returns ``service.start`` keyword arguments.

    Args:
        form: dict-like with workflowName, inputs (JSON text), queueName,
            partitionKey, priority, timeoutSeconds.
    Returns:
        {"ok", "message", "args"}; ``args`` is None when the form is invalid.
    """
    def get(key):
        return field(form, key)
    name = text(get("workflowName"))
    if name is None:
        return {"ok": False, "message": "Choose a workflow.", "args": None}
    parsed = parseInputs(get("inputs"))
    if not parsed["ok"]:
        return {"ok": False, "message": parsed["message"], "args": None}
    try:
        priority = number(get("priority"), int) or 0
    except ValueError:
        return {"ok": False, "message": "Priority must be a whole number.", "args": None}
    try:
        timeout = number(get("timeoutSeconds"), float)
    except ValueError:
        return {"ok": False, "message": "Timeout must be a number of seconds.", "args": None}
    if timeout is not None and timeout <= 0:
        timeout = None
    return {"ok": True, "message": "", "args": {
        "workflowName": name, "inputs": parsed["inputs"],
        "queueName": text(get("queueName")) or "default",
        "partitionKey": text(get("partitionKey")), "priority": priority,
        "timeoutSeconds": timeout}}


# -- run details -------------------------------------------------------------------------------
def commandButtons(status, allowed=None):
    """Returns {"hold", "resume", "stop", "cancel"}: which buttons are enabled
    for ``status``, and, given ``allowed`` (from ``permissions``), for the
    session's rights."""
    return dict((cmd.lower(), status in valid and (
        allowed is None or bool(field(allowed, COMMAND_ACTIONS[cmd]))))
        for cmd, valid in COMMAND_STATES.items())


def commandProblem(command, status, reason):
    """Returns why a command cannot be sent now ("" when it can)."""
    if command not in COMMAND_STATES:
        return "Unknown command %r." % command
    if status not in COMMAND_STATES[command]:
        return "%s is not possible while the run is %s." % (COMMAND_TITLES[command], status)
    if text(reason) is None:
        return "Enter a reason; it is recorded with the command."
    return ""


def runDetail(envelope, allowed=None):
    """Returns the details model of one run: summary fields, JSON texts, and
    the command buttons (``allowed``: the session's ``permissions``)."""
    if not envelope or not envelope.get("ok"):
        return {"found": False, "status": "", "title": "Run not found",
                "fields": [], "progress": "", "inputs": "", "output": "", "error": "",
                "buttons": commandButtons(None), "message": envelopeText(envelope)}
    run = envelope["data"]
    fields = [
        ("Workflow", run.get("workflowName")), ("Status", run.get("status")),
        ("Queue", run.get("queueName")), ("Partition", run.get("partitionKey")),
        ("Priority", run.get("priority")), ("Created", formatTime(run.get("createdMs"))),
        ("Created by", run.get("createdBy")), ("Started", formatTime(run.get("startedMs"))),
        ("Finished", formatTime(run.get("finishedMs"))), ("Duration", _runDuration(run)),
        ("Gateway", run.get("executorId")), ("Recoveries", run.get("recoveryAttempts")),
        ("Application version", run.get("applicationVersion")),
    ]
    return {"found": True, "status": run.get("status"),
            "title": "%s  %s" % (run.get("workflowName"), run.get("workflowId")),
            "fields": [{"name": k, "value": "" if v is None else str(v)} for k, v in fields],
            "progress": progressText(run.get("progress")),
            "inputs": prettyJson(run.get("inputs")), "output": prettyJson(run.get("output")),
            "error": prettyJson(run.get("error")),
            "buttons": commandButtons(run.get("status"), allowed),
            "message": ""}


def stepRows(envelope):
    """Returns the step table rows with a timeline bar relative to the first step."""
    steps = envelope.get("data") if envelope and envelope.get("ok") else None
    if not steps:
        return []
    starts = [s["startedMs"] for s in steps if s.get("startedMs") is not None]
    ends = [s["finishedMs"] for s in steps if s.get("finishedMs") is not None]
    origin = min(starts) if starts else 0
    span = max(1, (max(ends + starts) - origin) if starts else 1)
    rows = []
    for s in steps:
        error = s.get("error")
        started, duration = s.get("startedMs"), s.get("durationMs")
        rows.append({
            "step": s.get("functionId"), "name": s.get("functionName"),
            "attempts": s.get("attempts"), "outcome": "error" if error else "ok",
            "started": formatTime(started), "duration": formatDuration(duration),
            "offset": formatDuration(started - origin) if started is not None else "",
            "timeline": _bar(started, duration, origin, span),
            "error": (error.get("message") or error.get("type") or "") if isinstance(error, dict)
            else (error or "")})
    return rows


def _bar(started, duration, origin, span):
    if started is None:
        return ""
    lead = int(round((started - origin) * _BAR_WIDTH / float(span)))
    width = max(1, int(round((duration or 0) * _BAR_WIDTH / float(span))))
    return u"\u00b7" * lead + u"\u2588" * min(width, _BAR_WIDTH - lead if lead < _BAR_WIDTH else 1)


def commandRows(envelope):
    """Returns the mailbox rows: who sent what, when and why, and who consumed it."""
    data = envelope.get("data") if envelope and envelope.get("ok") else None
    return [{"seq": c.get("seq"), "command": c.get("cmd") or c.get("topic"),
             "user": c.get("sender") or "", "reason": c.get("reason") or "",
             "sent": formatTime(c.get("createdMs")), "consumed": formatTime(c.get("consumedMs")),
             "consumedBy": c.get("consumedBy") or ""} for c in data or []]


def eventRows(envelope):
    """Returns [{key, value}] of the run's events (value as JSON text)."""
    data = envelope.get("data") if envelope and envelope.get("ok") else None
    return [{"key": k, "value": json.dumps(v, sort_keys=True, default=str)}
            for k, v in sorted((data or {}).items())]


def streamRows(envelope):
    """Returns [{key, offset, value, written}] of the run's stream values."""
    data = envelope.get("data") if envelope and envelope.get("ok") else None
    return [{"key": r.get("key"), "offset": r.get("offset"),
             "value": json.dumps(r.get("value"), sort_keys=True, default=str),
             "written": formatTime(r.get("createdMs"))} for r in data or []]


# -- queues and admin --------------------------------------------------------------------------
def queueRows(envelope):
    """Pivots ``queueStatus`` into one row per queue with a count per status."""
    data = envelope.get("data") if envelope and envelope.get("ok") else None
    queues = {}
    for r in data or []:
        row = queues.setdefault(r["queueName"], dict([("queueName", r["queueName"])] +
                                                     [(s, 0) for s in states.ALL]))
        row[r["status"]] = row.get(r["status"], 0) + int(r["count"])
    rows = [queues[name] for name in sorted(queues)]
    for row in rows:
        row["active"] = sum(row[s] for s in states.ACTIVE)
    return rows


def maintenanceProblem(mode, reason):
    """Returns why a maintenance change cannot be made ("" when it can):
    draining or cancelling needs a reason, which every gateway logs."""
    if mode not in (None, "drain", "cancel"):
        return "Unknown maintenance mode %r." % (mode,)
    if mode and text(reason) is None:
        return "Enter a reason for '%s'; it is recorded with the mode." % mode
    return ""


def retentionForm(envelope):
    """Returns the retention form's texts ({maxAgeDays, maxRows, batchSize}) from
    ``getRetention``; an empty field means "keep"."""
    policy = envelope.get("data") if envelope and envelope.get("ok") else None
    policy = policy or {}

    def shown(value):
        return "" if value is None else str(value)
    return {"maxAgeDays": shown(policy.get("maxAgeDays")), "maxRows": shown(policy.get("maxRows")),
            "batchSize": shown(policy.get("batchSize") or 500)}


def retentionText(envelope):
    """Returns the current retention policy as one line."""
    if not envelope or not envelope.get("ok"):
        return envelopeText(envelope)
    p = envelope["data"] or {}
    age = "keep forever" if p.get("maxAgeDays") is None else "delete after %s days" % p["maxAgeDays"]
    rows = "no row limit" if p.get("maxRows") is None else "keep the newest %s" % p["maxRows"]
    return "Finished runs: %s, %s; at most %s deleted per gateway per minute." % (
        age, rows, p.get("batchSize") or 500)


def maintenanceText(envelope):
    """Returns the maintenance banner: mode, reason, who set it and when."""
    if not envelope or not envelope.get("ok"):
        return envelopeText(envelope)
    m = envelope["data"]
    if not m.get("mode"):
        return "Normal operation: runs are claimed and executed."
    when = formatTime(m.get("updatedMs"))
    return "Maintenance '%s' since %s by %s: %s" % (m["mode"], when, m.get("updatedBy") or "?",
                                                    m.get("reason") or "(no reason)")


def retentionRequest(form):
    """Checks the retention form; returns ``admin.setRetention`` keyword arguments.

    Empty age or row limit means "keep"; the batch size defaults to 500.
    """
    def get(key):
        return field(form, key)
    try:
        age = number(get("maxAgeDays"), float)
        rows = number(get("maxRows"), int)
        batch = number(get("batchSize"), int) or 500
    except ValueError:
        return {"ok": False, "message": "Age must be a number of days, rows and batch size "
                "whole numbers.", "args": None}
    if (age is not None and age < 0) or (rows is not None and rows < 0) or batch < 1:
        return {"ok": False, "message": "Retention values cannot be negative.", "args": None}
    if age is not None and age == int(age):
        age = int(age)
    return {"ok": True, "message": "", "args": {"maxAgeDays": age, "maxRows": rows,
                                                "batchSize": batch}}


def diagnosticsRows(envelope):
    """Flattens ``admin.diagnostics`` into [{name, value}] rows for a table."""
    if not envelope or not envelope.get("ok"):
        return [{"name": "error", "value": envelopeText(envelope)}]
    d = envelope["data"]
    pool = d.get("pool") or {}
    last = d.get("lastDispatch") or {}
    rows = [
        ("Worker pool", "%s active of %s (max %s), %s completed" % (
            pool.get("active", 0), pool.get("size", 0), pool.get("max", "-"),
            pool.get("completed", 0)) if pool else "not started"),
        ("In-memory queue depth", d.get("inMemoryDepth")),
        ("Runs executing here", len(d.get("running") or [])),
        ("Last dispatch", "%s, took %s: %s claimed, %s recovered, %s flushed, maintenance %s" % (
            formatTime(last.get("tsMs")), formatDuration(last.get("durationMs")),
            last.get("claimed"), last.get("recovered"), last.get("flushed"),
            last.get("maintenance") or "off") if last else "never"),
        ("Registered workflows", ", ".join(d.get("registered") or [])),
        ("Code generation", d.get("generation")),
    ]
    rows += [("Setting " + k, v) for k, v in sorted((d.get("settings") or {}).items())]
    rows += [("Counter " + k, v) for k, v in sorted((d.get("counters") or {}).items())]
    return [{"name": k, "value": "" if v is None else str(v)} for k, v in rows]
