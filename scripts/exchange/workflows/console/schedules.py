"""The console's Schedules page: the table of durable schedules with their
next and last slot, the row an operator selects for Pause, Resume, Trigger
now and Delete, the text shown after each of those, and the create form,
built from the envelopes of ``exchange.workflows.api.schedules``
(docs/schedules.md). Pure functions over what the view passes in: the view
makes the API calls.

Times are shown in the gateway's local time, as everywhere in the console;
the schedule's own zone, in which its cron line is read, is shown beside
the cron line.
"""
from exchange.workflows.console.format import envelopeText, field, formatTime, text
from exchange.workflows.console.start import parseInputs

__all__ = ["OVERLAP_OPTIONS", "CATCH_UP_OPTIONS", "scheduleTable", "selection", "deleteQuestion",
           "actionOutcome", "newForm", "createRequest"]

# The create form's dropdowns; the values are api.schedules.createSchedule's
# (which refuses any other), the labels say what each does.
OVERLAP_OPTIONS = [
    {"label": "skip: a slot is skipped while the previous run is active", "value": "skip"},
    {"label": "queue: the slot's run waits its turn", "value": "queue"},
    {"label": "allow: runs may overlap", "value": "allow"},
]
CATCH_UP_OPTIONS = [
    {"label": "none: slots missed while every gateway was down are skipped", "value": "none"},
    {"label": "latest: the most recent missed slot runs", "value": "latest"},
    {"label": "all: every missed slot runs, oldest first", "value": "all"},
]
_NO_SELECTION = {"name": "", "lastRunId": "", "enabled": False}


def scheduleTable(envelope):
    """Returns the schedule table model from ``listSchedules``.

    Returns:
        {rows, summary, message}: one row per schedule (name, workflowName,
        cron with its zone, state "enabled"/"paused", nextSlot, following
        (the two slots after it), lastSlot, lastRunId, lastFired, skipped,
        policy (overlap / catch-up), lastError); ``summary`` counts them,
        ``message`` is the envelope's text when the listing failed.
    """
    if not envelope or not envelope.get("ok"):
        return {"rows": [], "summary": "", "message": envelopeText(envelope)}
    rows = [_row(s) for s in envelope.get("data") or []]
    paused = len([r for r in rows if r["state"] == "paused"])
    summary = "%d schedule%s" % (len(rows), "" if len(rows) == 1 else "s")
    if paused:
        summary += ", %d paused" % paused
    return {"rows": rows, "summary": summary, "message": ""}


def _row(s):
    enabled = bool(s.get("enabled"))
    upcoming = s.get("upcoming") or []
    return {"name": s.get("name"), "workflowName": s.get("workflowName"),
            "cron": "%s (%s)" % (s.get("cron"), s.get("timezone")),
            "state": "enabled" if enabled else "paused",
            # A paused schedule's stored next slot is stale: resuming
            # starts again from the first slot after now.
            "nextSlot": formatTime(s.get("nextSlotMs")) if enabled else "",
            "following": ", ".join(formatTime(u.get("slotMs")) for u in upcoming[1:]),
            "lastSlot": formatTime(s.get("lastSlotMs")), "lastRunId": s.get("lastRunId") or "",
            "lastFired": formatTime(s.get("lastFiredMs")), "skipped": s.get("skippedSlots") or 0,
            "policy": "%s / %s" % (s.get("overlap"), s.get("catchUp")),
            "lastError": s.get("lastError") or ""}


def selection(row):
    """Returns {name, lastRunId, enabled} of a clicked table row; empty
    texts and False when no schedule row is given."""
    name = text(field(row, "name"))
    if name is None:
        return dict(_NO_SELECTION)
    return {"name": name, "lastRunId": text(field(row, "lastRunId")) or "",
            "enabled": text(field(row, "state")) == "enabled"}


def deleteQuestion(name):
    """Returns the question the Delete confirmation asks ("" when no schedule is selected)."""
    name = text(name)
    if name is None:
        return ""
    return "Delete schedule '%s'? It stops firing for good; its runs stay." % name


def actionOutcome(envelope):
    """Returns {"ok", "message", "workflowId"} after Pause, Resume, Trigger
    now, Delete or Create: the envelope's text and, for Trigger now, the
    run it started (else None)."""
    done = bool(envelope and envelope.get("ok"))
    data = envelope.get("data") if done else None
    return {"ok": done, "message": envelopeText(envelope),
            "workflowId": text(field(data, "workflowId")) if isinstance(data, dict) else None}


def newForm():
    """Returns the create form's initial texts."""
    return {"name": "", "cron": "", "workflowName": "", "inputs": "{}", "timezone": "",
            "queueName": "default", "overlap": "skip", "catchUp": "none"}


def createRequest(form):
    """Checks the create form; returns ``createSchedule`` keyword arguments.

    Args:
        form: dict-like with name, cron, workflowName, inputs (JSON text),
            timezone (empty: the gateway's zone), queueName, overlap, catchUp.
    Returns:
        {"ok", "message", "args"}; args {name, cron, workflowName, inputs,
        timezone, queueName, overlap, catchUp}, None when the form is
        invalid. The cron line and the zone are checked by the gateway.
    """
    def get(key):
        return field(form, key)
    name, cron, workflow = text(get("name")), text(get("cron")), text(get("workflowName"))
    if name is None:
        return _refused("Enter a name for the schedule.")
    if cron is None:
        return _refused("Enter a cron line such as '0 6 * * *', '@daily' or '@every 30s'.")
    if workflow is None:
        return _refused("Choose a workflow.")
    parsed = parseInputs(get("inputs"))
    if not parsed["ok"]:
        return _refused(parsed["message"])
    overlap = _choice(get("overlap"), OVERLAP_OPTIONS)
    catchUp = _choice(get("catchUp"), CATCH_UP_OPTIONS)
    if overlap is None or catchUp is None:
        return _refused("Choose what happens on overlap and to missed slots.")
    return {"ok": True, "message": "", "args": {
        "name": name, "cron": cron, "workflowName": workflow, "inputs": parsed["inputs"],
        "timezone": text(get("timezone")), "queueName": text(get("queueName")) or "default",
        "overlap": overlap, "catchUp": catchUp}}


def _choice(value, choices):
    value = text(value)
    return value if value in [c["value"] for c in choices] else None


def _refused(message):
    return {"ok": False, "message": message, "args": None}
