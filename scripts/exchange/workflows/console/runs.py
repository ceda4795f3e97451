"""The console's Runs and Run pages: the run list's filters and table, and
one run's details, steps, mailbox, events and streams, built from the
envelopes of ``exchange.workflows.api.service``."""
import json

from exchange.workflows.console.actions import commandButtons
from exchange.workflows.console.format import (envelopeText, field, formatDuration, formatTime,
                                                 prettyJson, text, toMillis)
from exchange.workflows.console.paging import pageModel, pagedQuery
from exchange.workflows.console.record import keepText, recordButtons
from exchange.workflows.core import states

__all__ = ["PAGE_SIZE", "STATUS_GROUPS", "statusOptions", "runQuery", "runList", "progressText",
           "rowWorkflowId", "runDetail", "familyModel", "stepRows", "commandRows", "eventRows",
           "streamRows"]

PAGE_SIZE = 50
# The status filter offers these groups before the single statuses ("" = any).
STATUS_GROUPS = (("All statuses", ""), ("Active (queued, running, held)", "ACTIVE"),
                 ("Finished", "FINISHED"))
_GROUP_STATUSES = {"ACTIVE": list(states.ACTIVE), "FINISHED": list(states.FINISHED)}
_BAR_WIDTH = 24


def statusOptions():
    """Returns the status filter's options: all, active, finished, then each
    status in lifecycle order."""
    return [{"label": label, "value": value} for label, value in STATUS_GROUPS] + [
        {"label": s, "value": s} for s in states.ALL]


# -- run list ----------------------------------------------------------------------------------
def runQuery(value):
    """Returns the ``service.listRuns`` keyword arguments for the run list's
    filters, plus ``key``, a text naming the filters (console/paging.py).

    Args:
        value: dict-like with ``status`` (a status, ACTIVE, FINISHED or ""),
            ``workflowName``, ``queueName``, ``since``/``until`` (dates or
            ms), ``offset`` and ``offsetKey``.
    """
    status = text(field(value, "status"))
    statuses = _GROUP_STATUSES.get(status, [status] if status else None)
    return pagedQuery({"status": statuses, "workflowName": text(field(value, "workflowName")),
                       "queueName": text(field(value, "queueName")),
                       "sinceMs": toMillis(field(value, "since")),
                       "untilMs": toMillis(field(value, "until")), "limit": PAGE_SIZE}, value)


def runList(envelope, key=""):
    """Returns the run table model: rows, the page label, the paging offsets and
    ``key`` (the filters the page belongs to, from ``runQuery``)."""
    return pageModel(envelope, _runRow, "Runs", key)


def _runRow(r):
    return {"workflowId": r.get("workflowId"), "workflowName": r.get("workflowName"),
            "status": r.get("status"), "queueName": r.get("queueName"),
            "partitionKey": r.get("partitionKey") or "", "created": formatTime(r.get("createdMs")),
            "duration": _runDuration(r), "progress": progressText(r.get("progress"))}


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


# -- run details -------------------------------------------------------------------------------
def runDetail(envelope, allowed=None):
    """Returns the details model of one run: summary fields (with resumes,
    fork origin and retention hold), JSON texts, the command buttons, the
    record buttons (console/record.py; ``allowed``: the session's
    ``actions.permissions``) and the parent and child links (``familyModel``)."""
    if not envelope or not envelope.get("ok"):
        detail = {"found": False, "status": "", "title": "Run not found",
                  "fields": [], "progress": "", "inputs": "", "output": "", "error": "",
                  "buttons": commandButtons(None), "record": recordButtons(None), "kept": "",
                  "message": envelopeText(envelope)}
        detail.update(familyModel(None))
        return detail
    run = envelope["data"]
    fields = [
        ("Workflow", run.get("workflowName")), ("Status", run.get("status")),
        ("Queue", run.get("queueName")), ("Partition", run.get("partitionKey")),
        ("Priority", run.get("priority")), ("Created", formatTime(run.get("createdMs"))),
        ("Created by", run.get("createdBy")), ("Started", formatTime(run.get("startedMs"))),
        ("Finished", formatTime(run.get("finishedMs"))), ("Duration", _runDuration(run)),
        ("Gateway", run.get("executorId")), ("Recoveries", run.get("recoveryAttempts")),
        ("Application version", run.get("applicationVersion")),
        ("Resumed", run.get("resumedCount") or None), ("Forked from", _forkedFrom(run)),
        ("Retention", keepText(run) or None),
        ("Handler", _handlerText(run)), ("Handler error", _handlerErrorText(run)),
        ("Waiting for", _waitText(run)),
    ]
    detail = {"found": True, "status": run.get("status"),
              "title": "%s  %s" % (run.get("workflowName"), run.get("workflowId")),
              "fields": [{"name": k, "value": "" if v is None else str(v)} for k, v in fields],
              "progress": progressText(run.get("progress")),
              "inputs": prettyJson(run.get("inputs")), "output": prettyJson(run.get("output")),
              "error": prettyJson(run.get("error")),
              "buttons": commandButtons(run.get("status"), allowed),
              "record": recordButtons(run, allowed), "kept": keepText(run),
              "message": ""}
    detail.update(familyModel(run))
    return detail


def familyModel(run):
    """Returns the Run page's links to the runs around ``run`` (getWorkflow's
    data): ``parentId`` ("" for a run no parent started with rt.startChild)
    and the Parent run button's ``parentText``; the child table's
    ``children`` rows [{workflowId, workflowName, status}] (the ones
    getWorkflow lists, oldest first) and its title ``childrenText`` ("" when
    there are none, so the view hides both)."""
    parentId = text(field(run, "parentId")) or ""
    children = [{"workflowId": text(field(c, "workflowId")) or "",
                 "workflowName": text(field(c, "workflowName")) or "",
                 "status": text(field(c, "status")) or ""}
                for c in field(run, "children") or []]
    return {"parentId": parentId,
            "parentText": ("Parent run %s" % parentId) if parentId else "",
            "children": children,
            "childrenText": ("Child runs (%d)" % len(children)) if children else ""}


def _handlerText(run):
    """The command handler running now (HOLDING, RESTARTING, STOPPING,
    ABORTING: docs/control.md), or None."""
    handler = run.get("handler")
    if not handler:
        return None
    return "%s since %s" % (handler.get("name"), formatTime(handler.get("startedMs")))


def _handlerErrorText(run):
    """The last handler that raised, and its error, or None."""
    error = run.get("handlerError")
    if not isinstance(error, dict):
        return None
    return "%s: %s: %s" % (error.get("handler"), error.get("type"), error.get("message"))


# What each released wait (getWorkflow's waitingFor) is waiting for, in
# an operator's words.
_WAITS = {"HOLD": "RESUME (held)", "SLEEP": "its wake-up time", "PROMPT": "an operator's answer",
          "RECV": "a message", "CHILD": "child runs", "TAG": "a tag value"}


def _waitText(run):
    """What a run that holds no worker thread waits for, since when and
    (for a timed wait) until when; None while it runs on a thread."""
    kind = run.get("waitingFor")
    if not kind:
        return None
    shown = "%s, no worker thread since %s" % (_WAITS.get(kind, kind),
                                               formatTime(run.get("releasedMs")))
    if run.get("wakeMs") is not None:
        shown += ", wakes by %s" % formatTime(run.get("wakeMs"))
    return shown


def _forkedFrom(run):
    origin = run.get("forkedFrom")
    if not origin:
        return None
    return "%s from step %s" % (origin, run.get("forkedFromStep"))


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
