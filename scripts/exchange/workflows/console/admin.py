"""The console's Queues and Admin pages: run counts per queue, the
maintenance banner and form, the run retention form, the report of an
import from ignition-workflows 0.3.6, and the diagnostics table, built from ``exchange.workflows.api.service`` and
``exchange.workflows.api.admin`` envelopes."""
from exchange.workflows.console.format import (envelopeText, field, formatDuration, formatTime,
                                                 number, text)
from exchange.workflows.core import states

__all__ = ["queueRows", "maintenanceProblem", "maintenanceText", "retentionForm",
           "retentionText", "retentionRequest", "importText", "diagnosticsRows"]

# How many finished runs retention deletes per gateway per minute when unset.
_BATCH_SIZE = 500


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


def retentionForm(envelope):
    """Returns the retention form's texts ({maxAgeDays, maxRows, batchSize}) from
    ``getRetention``; an empty field means "keep"."""
    policy = envelope.get("data") if envelope and envelope.get("ok") else None
    policy = policy or {}

    def shown(value):
        return "" if value is None else str(value)
    return {"maxAgeDays": shown(policy.get("maxAgeDays")), "maxRows": shown(policy.get("maxRows")),
            "batchSize": shown(policy.get("batchSize") or _BATCH_SIZE)}


def retentionText(envelope):
    """Returns the current retention policy as one line."""
    if not envelope or not envelope.get("ok"):
        return envelopeText(envelope)
    p = envelope["data"] or {}
    age = "keep forever" if p.get("maxAgeDays") is None else "delete after %s days" % p["maxAgeDays"]
    rows = "no row limit" if p.get("maxRows") is None else "keep the newest %s" % p["maxRows"]
    return "Finished runs: %s, %s; at most %s deleted per gateway per minute." % (
        age, rows, p.get("batchSize") or _BATCH_SIZE)


def retentionRequest(form):
    """Checks the retention form; returns ``admin.setRetention`` keyword arguments.

    Empty age or row limit means "keep"; the batch size defaults to 500.
    """
    def get(key):
        return field(form, key)
    try:
        age = number(get("maxAgeDays"), float)
        rows = number(get("maxRows"), int)
        batch = number(get("batchSize"), int) or _BATCH_SIZE
    except ValueError:
        return {"ok": False, "message": "Age must be a number of days, rows and batch size "
                "whole numbers.", "args": None}
    if (age is not None and age < 0) or (rows is not None and rows < 0) or batch < 1:
        return {"ok": False, "message": "Retention values cannot be negative.", "args": None}
    if age is not None and age == int(age):
        age = int(age)
    return {"ok": True, "message": "", "args": {"maxAgeDays": age, "maxRows": rows,
                                                "batchSize": batch}}


def importText(envelope):
    """The report of ``admin.importUpstream`` (or its dry run) in a few
    lines: what came over, what is left (call again while there is more),
    the runs 0.3.6 has not finished, and what could not be imported."""
    if not envelope or not envelope.get("ok"):
        return envelopeText(envelope)
    d = envelope.get("data") or {}
    lines = [envelopeText(envelope)]
    if d.get("more"):
        lines.append("More runs are waiting: press Import again.")
    for r in (d.get("reported") or [])[:10]:
        lines.append("Not imported: %s %s (%s): %s" % (r.get("workflowName"), r.get("workflowId"),
                                                       r.get("status"), r.get("reason")))
    for r in (d.get("failed") or [])[:10]:
        lines.append("Failed: %s: %s" % (r.get("workflowId"), r.get("error")))
    lines.extend("Note: %s" % w for w in (d.get("warnings") or [])[:10])
    suggested = (d.get("retention") or {}).get("suggested")
    if suggested:
        lines.append("0.3.6's retention (not applied): maxAgeDays=%s, maxRows=%s." % (
            suggested.get("maxAgeDays"), suggested.get("maxRows")))
    return "\n".join(lines)


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
