"""Brings ignition-workflows 0.3.6's history, parameter templates and enums
into the engine's tables (``admin.importUpstream``; docs/migrating-from-0.3.md).

What comes over, and as what:

- a finished run (SUCCESS, ERROR, CANCELLED) keeps its id, name, queue,
  partition, priority, times and result; its inputs are 0.3.6's
  ``resolved`` values, its timeout its ``__wf_control.timeout_seconds``,
  its parameter source ``raw.paramSource``; an error keeps 0.3.6's record
  under ``upstream`` beside our ``type`` and ``message``. Its steps become
  operations ``call_seq - 1`` (a step 0.3.6 never finished is an
  ``Interrupted`` error); its events, event history and streams come with
  it; messages it never received become commands consumed by ``import``.
- a run still active in 0.3.6 (ENQUEUED, PENDING, RUNNING) may still be
  run by 0.3.6's gateways, so by default (``activeRuns="report"``) it is
  listed in the answer, not imported: import it later, when 0.3.6 has
  ended it. ``activeRuns="enqueue"`` (once 0.3.6's gateways are stopped)
  imports it ENQUEUED, to run on this engine from its beginning (its steps
  run again), with the messages it had not received waiting in its mailbox.
- template and enum versions keep their names, numbers and status.

Idempotent: a run whose id is already here, and a template or enum
version already here, is skipped, so a second import adds nothing. Runs
are taken oldest first, ``limit`` new ones per call (``more`` says whether
to call again); each run is one transaction. 0.3.6's tables are only read.
"""
from exchange.workflows.core import clock, codec, states
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import ANY_ERROR, InvalidArguments, WorkflowsError, describe
from exchange.workflows.core.validate import INTS, isInteger
from exchange.workflows.engine import control, database, recipes, registry
from exchange.workflows.store import dialects, imports, params, runs, upstream

ORIGIN = "import:0.3.6"
REPORT, ENQUEUE = "report", "enqueue"
UPSTREAM_SCHEMA = dialects.DEFAULT_SCHEMA
FINISHED = (states.SUCCESS, states.ERROR, states.CANCELLED)
ACTIVE = (states.ENQUEUED, states.PENDING, states.RUNNING)
MAX_LIMIT = 10000
# Lists in the answer stay readable; their counts are always complete.
MAX_LISTED = 100
_TIMEOUT_KEY = "__wf_control"
# The lengths of the engine's columns a 0.3.6 value (unbounded TEXT) must fit.
_LENGTHS = (("workflowName", 200), ("queueName", 100), ("partitionKey", 200),
            ("deduplicationId", 200), ("applicationVersion", 100))
_INTERRUPTED = {"type": "Interrupted", "message": "The step never finished in "
                                                  "ignition-workflows 0.3.6."}


class UpstreamNotFound(WorkflowsError):
    code = "UPSTREAM_NOT_FOUND"


# -- pure: one value at a time ---------------------------------------------------------------
def jsonText(text):
    """0.3.6's JSON text as the engine stores it (None stays None; text
    that is not JSON is kept as a JSON string)."""
    if text is None:
        return None
    try:
        return codec.encode(codec.decode(text))
    except ANY_ERROR:
        return codec.encode(text)


def decoded(text):
    """The value of 0.3.6's JSON text; text that is not JSON as itself."""
    if text is None:
        return None
    try:
        return codec.decode(text)
    except ANY_ERROR:
        return text


def errorRecord(value, fallbackType):
    """Our error record ({type, message, upstream}) for 0.3.6's error value."""
    if isinstance(value, dict):
        kind = value.get("type")
        message = value.get("message")
        return {"type": kind if isinstance(kind, TEXT) and kind else fallbackType,
                "message": message if isinstance(message, TEXT) else codec.encode(message),
                "upstream": value}
    return {"type": fallbackType, "message": value if isinstance(value, TEXT) else
            codec.encode(value), "upstream": value}


def runInputs(inputsJson):
    """(inputs JSON text, timeout ms or None, param source JSON text or None)
    of 0.3.6's ``inputs_json`` ({resolved, raw, __wf_control})."""
    value = decoded(inputsJson)
    if not isinstance(value, dict):
        return codec.encode({} if value is None else value), None, None
    resolved = value.get("resolved", value)
    if isinstance(resolved, dict) and resolved is value:
        resolved = dict((k, v) for k, v in value.items() if k not in ("raw", _TIMEOUT_KEY))
    timeoutMs = None
    wfControl = value.get(_TIMEOUT_KEY)
    seconds = wfControl.get("timeout_seconds") if isinstance(wfControl, dict) else None
    if isinstance(seconds, INTS + (float,)) and not isinstance(seconds, bool) and seconds > 0:
        timeoutMs = int(seconds * 1000)
    raw = value.get("raw")
    source = raw.get("paramSource") if isinstance(raw, dict) else None
    if source is None:
        source = value.get("paramSource")
    return (codec.encode(resolved if resolved is not None else {}), timeoutMs,
            codec.encode(source) if isinstance(source, dict) else None)


def problem(run):
    """Why ``run`` (upstream.RUN_COLUMNS) cannot be stored here, or None."""
    for key, limit in _LENGTHS:
        value = run.get(key)
        if value is not None and len(value) > limit:
            return "%s is longer than %d characters" % (key, limit)
    if not run.get("workflowName") or not run.get("queueName"):
        return "it has no workflow or queue name"
    if len(run["workflowId"]) > 64:
        return "its id is longer than 64 characters"
    return None


def runValues(run, status, cmdSeq):
    """The status row (store.imports.RUN_COLUMNS order) of ``run`` imported as ``status``."""
    inputs, timeoutMs, source = runInputs(run["inputsJson"])
    finished = status in FINISHED
    error = None
    if finished and run["errorJson"] is not None:
        error = codec.encode(errorRecord(decoded(run["errorJson"]), "UpstreamError"))
    return (run["workflowId"], run["workflowName"], status, run["queueName"], run["partitionKey"],
            int(run["priority"] or 0), run["deduplicationId"], run["applicationVersion"], inputs,
            jsonText(run["resultJson"]) if finished else None, error, timeoutMs, cmdSeq, ORIGIN,
            run["createdMs"], run["updatedMs"] if finished else clock.nowMs(),
            run["startedMs"] if finished else None,
            (run["finishedMs"] or run["updatedMs"]) if finished else None, source)


def operation(workflowId, step):
    """Our operation row for one of 0.3.6's step rows."""
    if step["status"] == states.SUCCESS:
        output, error = jsonText(step["outputJson"]) or "null", None
    elif step["status"] == states.ERROR:
        output = None
        error = codec.encode(errorRecord(decoded(step["errorJson"]), "StepError"))
    else:
        output, error = None, codec.encode(_INTERRUPTED)
    return (workflowId, int(step["callSeq"]) - 1, step["stepName"][:200], output, error,
            int(step["attempts"] or 1), step["startedMs"], step["finishedMs"])


def message(workflowId, seq, note, consumedMs):
    """Our mailbox row for a message 0.3.6's run never received; consumed
    by ``import`` at ``consumedMs`` (a finished run), else waiting (None)."""
    payload = decoded(note["messageJson"])
    reason = None
    if isinstance(payload, dict):
        payload = dict(payload)
        if note["topic"] == states.COMMAND_TOPIC and isinstance(payload.get("cmd"), TEXT):
            try:
                payload["cmd"] = control.canonical(payload["cmd"].strip())
            except InvalidArguments:
                payload["cmd"] = payload["cmd"].strip().upper()
        payload.setdefault("sender", ORIGIN)
        payload.setdefault("sentMs", note["createdMs"])
        reason = payload.get("reason") if isinstance(payload.get("reason"), TEXT) else None
    return (workflowId, seq, note["topic"][:100], codec.encode(payload), ORIGIN, reason,
            note["createdMs"], consumedMs, "import" if consumedMs is not None else None)


def templateDoc(workflowName, templateName, schemaJson):
    """(schema_doc text, warning or None) for 0.3.6's ``schema_json``: its
    Form props, cleaned and described as a template saved here would be."""
    value = decoded(schemaJson)
    props = value.get("formProps") if isinstance(value, dict) else None
    label = "%s.%s" % (workflowName, templateName)
    if isinstance(props, dict):
        props = recipes.sanitize(props, label)
        return codec.encode({"formProps": props, "meta": recipes.meta(props)}), None
    props = recipes.sanitize({}, label)
    return (codec.encode({"formProps": props, "meta": recipes.meta(props), "upstream": value}),
            "template %s/%s has no Form props; imported without fields (0.3.6's document is "
            "kept under schema.upstream)" % (workflowName, templateName))


def status(value, what):
    """(active or obsolete, warning or None) for 0.3.6's status text."""
    try:
        return recipes.statusNamed(value), None
    except recipes.RecipeError:
        return recipes.OBSOLETE, "%s had status %r; imported obsolete" % (what, value)


def enumDoc(enumName, valuesJson):
    """(values_doc text, warning or None) for 0.3.6's ``values_json``."""
    value = decoded(valuesJson)
    try:
        return codec.encode(recipes.enumValues(value)), None
    except ANY_ERROR as e:
        kept = value if isinstance(value, list) else []
        return codec.encode(kept), "enum %s: %s; its values were imported as they were" % (
            enumName, describe(e))


# -- the import ------------------------------------------------------------------------------
class Report(object):
    """What an import did (or, dry, would do); ``data()`` is the answer."""

    def __init__(self, dryRun):
        self.dryRun = dryRun
        self.counts = dict((k, 0) for k in ("runs", "enqueued", "steps", "events", "eventHistory",
                                            "streams", "commands", "templates", "enums",
                                            "skipped", "scanned"))
        self.reported, self.failed, self.warnings = [], [], []
        self.reportedCount = 0
        self.more = False
        self.upstream = {}
        self.retention = None

    def note(self, listed, entry):
        if len(listed) < MAX_LISTED:
            listed.append(entry)

    def data(self):
        out = dict(self.counts)
        out.update({"dryRun": self.dryRun, "reported": self.reported,
                    "reportedCount": self.reportedCount, "failed": self.failed,
                    "warnings": self.warnings, "more": self.more, "upstreamRuns": self.upstream,
                    "retention": self.retention})
        return out


def _options(activeRuns, limit, sourceSchema):
    if activeRuns not in (REPORT, ENQUEUE):
        raise InvalidArguments("activeRuns must be 'report' (list runs 0.3.6 has not finished) "
                               "or 'enqueue' (import them ENQUEUED, to run here from the start).")
    if not isInteger(limit) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidArguments("limit must be an integer from 1 to %d (runs per call)." % MAX_LIMIT)
    if not isinstance(sourceSchema, TEXT) or not sourceSchema.strip():
        raise InvalidArguments("sourceSchema must name the schema of 0.3.6's tables "
                               "(default 'workflows').")


def importUpstream(dbName, sourceDbName=None, sourceSchema=UPSTREAM_SCHEMA, activeRuns=REPORT,
                   limit=1000, dryRun=False):
    """Imports (``dryRun``: counts) 0.3.6's history, templates and enums
    from ``sourceSchema`` of ``sourceDbName`` (None: ``dbName``) into the
    engine's tables of ``dbName``; returns Report.data().

    Raises:
        InvalidArguments: a bad option.
        UpstreamNotFound: no 0.3.6 tables there.
        DatabaseUnavailable / DatabaseError: as any statement.
    """
    _options(activeRuns, limit, sourceSchema)
    store = database.prepare(dbName)
    sourceDb = sourceDbName or dbName
    dialect = store.dialect if sourceDb == dbName else dialects.detect(sourceDb)
    try:
        src = upstream.source(sourceDb, dialect, sourceSchema.strip())
    except ValueError:
        raise InvalidArguments("sourceSchema %r is not a schema name (letters, digits and _)."
                               % sourceSchema[:100])
    if not upstream.present(src):
        raise UpstreamNotFound(
            "Database '%s' has no ignition-workflows 0.3.6 tables in %s (no workflow_status with "
            "inputs_json): nothing to import. Name the connection and schema that hold them "
            "(sourceDbName=..., sourceSchema=...)." % (sourceDb, sourceSchema))
    report = Report(bool(dryRun))
    report.upstream = upstream.counts(src)
    report.retention = _retention(src)
    _recipes(store, src, report)
    _runs(store, src, report, activeRuns, limit)
    return report.data()


def _retention(src):
    found = upstream.retention(src)
    if not found:
        return None
    hours, rows = found["timeThresholdHours"], found["rowsThreshold"]
    found["suggested"] = {"maxAgeDays": None if hours is None else hours / 24.0, "maxRows": rows}
    return found


def _recipes(store, src, report):
    now = clock.nowMs()
    for t in upstream.templates(src):
        what = "template %s/%s v%s" % (t["workflowName"], t["templateName"], t["templateVersion"])
        if params.getTemplate(store, t["workflowName"], t["templateName"],
                              t["templateVersion"]) is not None:
            continue
        doc, warning = templateDoc(t["workflowName"], t["templateName"], t["schemaJson"])
        stat, bad = status(t["status"], what)
        for w in (warning, bad):
            if w:
                report.note(report.warnings, w)
        if _stored(report, what, imports.insertTemplate, store, (
                t["workflowName"], t["templateName"], int(t["templateVersion"]), doc, stat,
                t["description"], t["createdBy"], t["createdMs"], ORIGIN, now)):
            report.counts["templates"] += 1
    for e in upstream.enums(src):
        what = "enum %s v%s" % (e["enumName"], e["enumVersion"])
        if params.getEnum(store, e["enumName"], e["enumVersion"]) is not None:
            continue
        doc, warning = enumDoc(e["enumName"], e["valuesJson"])
        stat, bad = status(e["status"], what)
        for w in (warning, bad):
            if w:
                report.note(report.warnings, w)
        if _stored(report, what, imports.insertEnum, store, (
                e["enumName"], int(e["enumVersion"]), doc, stat, e["description"],
                e["createdBy"], e["createdMs"], ORIGIN, now)):
            report.counts["enums"] += 1


def _stored(report, what, insert, store, values):
    """``insert(store, values)`` (not on a dry run); True when it stored a
    row (or, dry, would). A version the database refuses (a name longer
    than ours allows) is listed as failed; the others go on."""
    if report.dryRun:
        return True
    try:
        return bool(insert(store, values))
    except ANY_ERROR as e:
        report.note(report.failed, {"what": what, "error": describe(e)[:500]})
        return False


def _runs(store, src, report, activeRuns, limit):
    afterMs, afterId, done = None, "", 0
    while True:
        page = upstream.runsAfter(src, afterMs, afterId, limit)
        if not page:
            return
        here = runs.existing(store, [r["workflowId"] for r in page])
        for run in page:
            if run["workflowId"] in here:
                report.counts["skipped"] += 1
            elif run["status"] in ACTIVE and activeRuns == REPORT:
                _report(src, report, run, "still active in 0.3.6: import it once 0.3.6 has "
                        "ended it, or with activeRuns='enqueue' after stopping 0.3.6's gateways")
            elif run["status"] not in FINISHED + ACTIVE:
                _report(src, report, run, "status %r is not one of 0.3.6's" % run["status"])
            elif done >= limit:
                report.more = True
                return
            else:
                done += _one(store, src, report, run)
            report.counts["scanned"] += 1
            afterMs, afterId = run["createdMs"], run["workflowId"]
        if len(page) < limit:
            return


def _report(src, report, run, why):
    report.reportedCount += 1
    if len(report.reported) < MAX_LISTED:
        steps = upstream.steps(src, run["workflowId"])
        report.reported.append({"workflowId": run["workflowId"],
                                "workflowName": run["workflowName"], "status": run["status"],
                                "lastStep": steps[-1]["stepName"] if steps else None,
                                "reason": why})


def _one(store, src, report, run):
    """Imports one run in its own transaction; returns 1 when it was (or,
    dry, would be) imported, else 0 (listed as failed or reported)."""
    wid = run["workflowId"]
    why = problem(run)
    if why:
        report.note(report.failed, {"workflowId": wid, "error": "not imported: %s" % why})
        return 0
    finished = run["status"] in FINISHED
    notes = upstream.notifications(src, wid)
    consumedMs = (run["finishedMs"] or run["updatedMs"]) if finished else None
    mail = [message(wid, i + 1, n, consumedMs) for i, n in enumerate(notes)]
    ops, events, history, streams = [], [], [], []
    if finished:
        ops = [operation(wid, s) for s in upstream.steps(src, wid)]
        events = [(wid, e["key"], jsonText(e["valueJson"]), e["updatedMs"])
                  for e in upstream.events(src, wid)]
        # 0.3.6 does not say which step set an event: the history hangs
        # under operation 0, numbered in the order the values were set.
        history = [(wid, 0, i + 1, h["key"], jsonText(h["valueJson"]), h["createdMs"])
                   for i, h in enumerate(upstream.eventHistory(src, wid))]
        streams = [(wid, s["key"], int(s["offset"]), 0, jsonText(s["valueJson"]), s["createdMs"])
                   for s in upstream.streams(src, wid)]
    else:
        if registry.get(run["workflowName"]) is None:
            report.note(report.warnings, "run %s: workflow %s is not registered on this gateway; "
                        "it waits ENQUEUED until a gateway that has it claims it"
                        % (wid, run["workflowName"]))
    imported = runValues(run, run["status"] if finished else states.ENQUEUED, len(mail))
    if not report.dryRun:
        try:
            with store.transaction() as tx:
                if not imports.insertRun(store, imported, tx):
                    raise _Held()
                imports.insertOperations(store, ops, tx)
                imports.insertEvents(store, events, tx)
                imports.insertEventHistory(store, history, tx)
                imports.insertStreams(store, streams, tx)
                imports.insertMail(store, mail, tx)
        except _Held:
            _heldElsewhere(store, report, run)
            return 0
        except ANY_ERROR as e:
            report.note(report.failed, {"workflowId": wid, "error": describe(e)[:500]})
            return 0
    counts = report.counts
    counts["runs" if finished else "enqueued"] += 1
    counts["steps"] += len(ops)
    counts["events"] += len(events)
    counts["eventHistory"] += len(history)
    counts["streams"] += len(streams)
    counts["commands"] += len(mail)
    return 1


class _Held(Exception):
    """The status row was not inserted (see _heldElsewhere)."""


def _heldElsewhere(store, report, run):
    # The id arrived meanwhile (another import), or, for a run imported
    # ENQUEUED, an active run here holds its deduplication id.
    if runs.existing(store, [run["workflowId"]]):
        report.counts["skipped"] += 1
        return
    holder = runs.activeByDeduplication(store, run["queueName"], run["deduplicationId"]) \
        if run["deduplicationId"] else None
    report.reportedCount += 1
    report.note(report.reported, {
        "workflowId": run["workflowId"], "workflowName": run["workflowName"],
        "status": run["status"], "lastStep": None,
        "reason": "deduplication id %r is held by active run %s here"
                  % (run["deduplicationId"], holder)})
