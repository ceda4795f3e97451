"""The Run page's actions on a run's record: resume an ended run from its
last good step, fork a new run from one of its steps, export the record
(JSON or CSV) for download, and keep it from retention.

Pure: the views call ``exchange.workflows.api.service`` with the arguments
these functions check, and show what these functions make of the answer
(docs/service-api.md "Resume and fork" and "Batch record").
"""
from exchange.workflows.console.format import envelopeText, field, formatTime, number, text, unwrap
from exchange.workflows.console.start import parseInputs
from exchange.workflows.core import states

__all__ = ["RESUME", "FORK", "KEEP", "RELEASE", "ACTION_TITLES", "EXPORT_FORMATS",
           "recordButtons", "keepText", "selectedStep", "recordRequest", "recordOutcome",
           "exportDownload"]

RESUME = "resume"
FORK = "fork"
KEEP = "keep"
RELEASE = "release"
ACTION_TITLES = {RESUME: "Resume run", FORK: "Fork run", KEEP: "Keep record",
                 RELEASE: "Release record"}
# The policy right each needs (api/service.py asks the same).
_RIGHTS = {RESUME: "hold", FORK: "start", KEEP: "operate", RELEASE: "operate", "export": "read"}
# What a download of each export format is served as.
EXPORT_FORMATS = {"json": "application/json; charset=utf-8", "csv": "text/csv; charset=utf-8"}


def _allowed(allowed, action):
    return allowed is None or bool(unwrap(field(allowed, _RIGHTS[action])))


def recordButtons(run, allowed=None):
    """Returns {"resumeRun", "fork", "export", "keep"}: which of the record
    buttons are enabled for ``run`` (getWorkflow's data, or None) and the
    session's rights (``actions.permissions``); and the keep toggle's
    ``keepAction`` (KEEP, or RELEASE for a run that is kept) and
    ``keepTitle``."""
    status = field(run, "status")
    kept = bool(field(run, "retentionHold"))
    found = status is not None
    return {"resumeRun": status in states.RESUMABLE and _allowed(allowed, RESUME),
            "fork": status in states.FINISHED and _allowed(allowed, FORK),
            "export": found and _allowed(allowed, "export"),
            "keep": found and _allowed(allowed, RELEASE if kept else KEEP),
            "keepAction": RELEASE if kept else KEEP,
            "keepTitle": ACTION_TITLES[RELEASE if kept else KEEP]}


def keepText(run):
    """Returns the retention line of a run: who kept it, when and why, or
    who gave it back; "" when nobody ever did either."""
    by = field(run, "retentionHoldBy")
    if not by:
        return ""
    why = text(field(run, "retentionHoldReason"))
    when = formatTime(field(run, "retentionHoldMs"))
    what = "Kept from retention" if field(run, "retentionHold") else "Released to retention"
    return "%s by %s at %s%s" % (what, by, when, (": " + why) if why else "")


def selectedStep(selection):
    """Returns the step number of the Steps table's selected row (its
    ``props.selection.data``: a list of row dicts), or None."""
    rows = unwrap(selection)
    try:
        row = rows[0] if rows else None
        step = row["step"] if row is not None else None
    except (KeyError, TypeError, IndexError):
        return None
    try:
        return number(step, int)
    except ValueError:
        return None


def recordRequest(action, status, form):
    """Checks the record popup's form before the service is called.

    Args:
        action: RESUME, FORK, KEEP or RELEASE.
        status: the run's status as the page shows it.
        form: dict-like with ``reason``, and for FORK ``fromStep`` (a whole
            number, 0 = from the beginning) and ``inputs`` (JSON object text;
            empty: the original run's inputs).
    Returns:
        {"ok", "message", "args"}: ``args`` holds ``reason``, and
        ``fromStep`` and ``inputs`` for FORK, ``hold`` for KEEP/RELEASE;
        None when the form cannot be sent.
    """
    def refuse(message):
        return {"ok": False, "message": message, "args": None}
    if action not in ACTION_TITLES:
        return refuse("Unknown action %r." % (action,))
    if action == RESUME and status not in states.RESUMABLE:
        return refuse("Only a run that ended %s can be resumed; this one is %s."
                      % (", ".join(states.RESUMABLE), status))
    if action == FORK and status not in states.FINISHED:
        return refuse("Only an ended run can be forked; this one is %s." % status)
    reason = text(field(form, "reason"))
    if reason is None:
        return refuse("Enter a reason; it is recorded with your user name.")
    args = {"reason": reason}
    if action == FORK:
        try:
            step = number(field(form, "fromStep"), int)
        except ValueError:
            step = -1
        if step is None or step < 0:
            return refuse("From step must be a whole number, 0 or more (the # of a step).")
        inputs = None
        if text(field(form, "inputs")) is not None:
            parsed = parseInputs(field(form, "inputs"))
            if not parsed["ok"]:
                return refuse(parsed["message"])
            inputs = parsed["inputs"]
        args.update(fromStep=step, inputs=inputs)
    elif action in (KEEP, RELEASE):
        args["hold"] = action == KEEP
    return {"ok": True, "message": "", "args": args}


def recordOutcome(action, envelope):
    """Returns {"ok", "message", "workflowId"} after the service answered:
    the envelope's text, and for a fork the new run's id (else None)."""
    done = bool(envelope and envelope.get("ok"))
    data = envelope.get("data") if done else None
    newRun = text(field(data, "workflowId")) if action == FORK else None
    message = envelopeText(envelope)
    if newRun:
        message = "%s New run: %s" % (message, newRun)
    return {"ok": done, "message": message, "workflowId": newRun}


def exportDownload(envelope):
    """Returns what an Export button downloads from ``service.exportRun``'s
    answer: {"ok", "message", "fileName", "content", "contentType"}
    (``system.perspective.download(fileName, content, contentType)``)."""
    data = envelope.get("data") if envelope and envelope.get("ok") else None
    if not data:
        return {"ok": False, "message": envelopeText(envelope), "fileName": None,
                "content": None, "contentType": None}
    fmt = field(data, "format")
    return {"ok": True, "message": envelopeText(envelope), "fileName": data["fileName"],
            "content": data["content"],
            "contentType": EXPORT_FORMATS.get(fmt, "text/plain; charset=utf-8")}
