"""Read-side views for operators: one run, lists, steps, mailbox, events.

Every view masks a run's secret inputs (``@workflow(secretInputs=[...])``):
the inputs by name, and their values wherever they turn up in the run's
output, error, progress, events, stream values and step results. A run of a
workflow this gateway does not know (not registered here, or renamed) shows
no input value at all, since which of them are secret cannot be told.
"""
from exchange.workflows.core import clock, codec, states
from exchange.workflows.core import masking
from exchange.workflows.engine import control, database, registry
from exchange.workflows.core.errors import InvalidArguments, NotFound
from exchange.workflows.core.validate import integer
from exchange.workflows.store import checkpoints, children, events, mailbox, runs, transitions

_JSON_FIELDS = ("inputs", "output", "error", "progress", "paramSource", "handlerError", "detail")
_SHOWN_FIELDS = ("output", "error", "progress")
# Pages of steps and commands: a run of 100,000 steps is never read whole.
PAGE_LIMIT = 1000
# getWorkflow's children list: the first ones started.
CHILDREN_SHOWN = 100
MAX_PAGE_LIMIT = 10000
# Transitions whose detail is the run's error (not a link to their cause).
_FAILURES = (control.CAUSE_ERROR, control.CAUSE_TIMEOUT)


def _decoded(row):
    for key in _JSON_FIELDS:
        if key in row and row[key] is not None:
            try:
                row[key] = codec.decode(row[key])
            except ValueError:
                pass
    return row


def requireRun(store, workflowId):
    """The run's row (runs.get), or NotFound: every lookup of one run by id."""
    row = runs.get(store, workflowId)
    if row is None:
        raise NotFound.run(workflowId, store.dbName)
    return row


def _secrets(workflowName, inputs):
    """Returns (secret input names, texts to hide) for a run of ``workflowName``
    with ``inputs`` (decoded or JSON text); names is None when the workflow
    is not registered on this gateway."""
    wfdef = registry.get(workflowName)
    if wfdef is None:
        return None, ()
    if not wfdef.secretInputs:
        return wfdef.secretInputs, ()
    if not isinstance(inputs, dict):
        try:
            inputs = codec.decode(inputs)
        except ValueError:
            inputs = None
    return wfdef.secretInputs, masking.secretTexts(inputs, wfdef.secretInputs)


def secretTexts(workflowName, inputs):
    """The texts to hide in what a run of ``workflowName`` with ``inputs``
    (decoded or JSON text) shows: its secret input values."""
    return _secrets(workflowName, inputs)[1]


def shownInputs(workflowName, inputs):
    """Returns a run's inputs (decoded) as every answer shows them: the
    workflow's secret inputs masked, every value masked when the workflow is
    not registered here. For any listing that shows a request's inputs (the
    parked requests, an export)."""
    names = _secrets(workflowName, None)[0]
    if not isinstance(inputs, dict):
        return inputs if inputs is None or names == frozenset() else masking.MASK
    return masking.maskInputs(inputs, names)


def _masked(row, names, hide):
    """Masks a decoded run row in place; returns it."""
    if "inputs" in row:
        row["inputs"] = masking.maskInputs(row["inputs"], names)
    for key in _SHOWN_FIELDS:
        if row.get(key) is not None:
            row[key] = masking.scrub(row[key], hide)
    return row


def _hideFor(store, workflowId):
    """Returns the run's texts to hide (its secret input values), after
    checking that it exists."""
    row = requireRun(store, workflowId)
    return _secrets(row["workflowName"], row["inputs"])[1]


def _page(limit, offset):
    limit = PAGE_LIMIT if limit is None else integer("limit", limit, 1, MAX_PAGE_LIMIT)
    offset = 0 if offset is None else integer("offset", offset, 0, 10 ** 9)
    return limit, offset


def getWorkflow(dbName, workflowId):
    store = database.prepare(dbName)
    row = _decoded(requireRun(store, workflowId))
    names, hide = _secrets(row["workflowName"], row.get("inputs"))
    row = _masked(row, names, hide)
    row["finished"] = row["status"] in states.FINISHED
    row["retentionHold"] = bool(row["retentionHold"])
    if row.get("heldSinceMs") is not None:
        # heldMs is the total held, the hold going on now included.
        row["heldMs"] = (row["heldMs"] or 0) + max(0, clock.nowMs() - row["heldSinceMs"])
    # While a command handler runs (or is to be resumed after a crash):
    # which one, since when, and its transition's number (getTransitions).
    row["handler"] = None
    if row["status"] in states.HANDLING:
        t = transitions.opened(store, workflowId)
        if t is not None:
            row["handler"] = {"name": t.handler, "startedMs": t.startedMs, "transition": t.seq}
    if row.get("handlerError") is not None:
        row["handlerError"] = masking.scrub(row["handlerError"], hide)
    # The run that started this one with rt.startChild, and the ones it started.
    row["parentId"] = children.parentOf(store, workflowId)
    row["children"] = children.childrenOf(store, workflowId, CHILDREN_SHOWN)
    return row


def listRuns(dbName, filters, limit, offset):
    statuses = filters.get("status")
    for s in statuses or ():
        if s not in states.ALL:
            raise InvalidArguments("Unknown status %r; statuses are %s." % (s, ", ".join(states.ALL)))
    store = database.prepare(dbName)
    rows, total = runs.listRuns(store, filters, limit, offset)
    rows = [_decoded(r) for r in rows]
    for r in rows:
        r["retentionHold"] = bool(r["retentionHold"])
    # The list carries no inputs; the progress and error of runs whose
    # workflow has secret inputs are masked with those runs' values.
    withSecrets = [r["workflowId"] for r in rows
                   if getattr(registry.get(r["workflowName"]), "secretInputs", None)]
    inputs = runs.inputsOf(store, withSecrets) if withSecrets else {}
    for r in rows:
        if r["workflowId"] in inputs:
            _masked(r, (), _secrets(r["workflowName"], inputs[r["workflowId"]])[1])
    return {"rows": rows, "total": total, "limit": limit, "offset": offset}


def _maskedPage(dbName, workflowId, limit, offset):
    """(store, texts to hide, limit, offset) for one page of a run's masked
    records, after checking the page and that the run exists."""
    limit, offset = _page(limit, offset)
    store = database.prepare(dbName)
    return store, _hideFor(store, workflowId), limit, offset


def getSteps(dbName, workflowId, limit=PAGE_LIMIT, offset=0, transition=None):
    """Returns one page (``limit`` from ``offset``) of the run's recorded
    operations in order: the body's, or with ``transition`` (a seq of
    getTransitions) those of that transition's handler.

    Raises:
        InvalidArguments: limit not 1-10000, or offset not 0-10^9.
        NotFound: no such run.
    """
    store, hide, limit, offset = _maskedPage(dbName, workflowId, limit, offset)
    out = []
    if transition is not None:
        transition = integer("transition", transition, 1, 10 ** 9)
    for rec in checkpoints.page(store, workflowId, limit, offset, transition):
        rec = _decoded(rec)
        rec = _masked(rec, (), hide)
        if rec["startedMs"] is not None and rec["finishedMs"] is not None:
            rec["durationMs"] = rec["finishedMs"] - rec["startedMs"]
        out.append(rec)
    return out


def getTransitions(dbName, workflowId, limit=PAGE_LIMIT, offset=0):
    """Returns one page of the run's transitions, oldest first: seq,
    fromStatus, toStatus, handler (None: a change that ran no handler),
    cause, command, commandSeq (the command's getCommands seq), sender,
    reason, state (PENDING, RUNNING, DONE, FAILED, ABANDONED), startedMs,
    finishedMs, error (the handler's). Every status change an operator
    caused is one: a command taken (through its handler or not), a cancel,
    a resume, a fork (the new run's first, with forkedFrom and fromStep).

    Raises:
        InvalidArguments: limit not 1-10000, or offset not 0-10^9.
        NotFound: no such run.
    """
    store, hide, limit, offset = _maskedPage(dbName, workflowId, limit, offset)
    out = []
    for rec in transitions.page(store, workflowId, limit, offset):
        rec = _decoded(rec)
        # The detail is the engine's own (a failed run's error, kept for
        # the run's end: the run's error shows it once the run has ended),
        # or the link to what caused the transition, shown by name.
        detail = rec.pop("detail", None)
        linked = detail if isinstance(detail, dict) and rec["cause"] not in _FAILURES else {}
        rec["commandSeq"] = linked.get("commandSeq")
        if "forkedFrom" in linked:
            rec["forkedFrom"], rec["fromStep"] = linked["forkedFrom"], linked.get("fromStep")
        if rec.get("error") is not None:
            rec["error"] = masking.scrub(rec["error"], hide)
        out.append(rec)
    return out


# getCommands' ``outcome`` of a message consumed by someone other than the
# engine (mailbox.consumed_by -> outcome); the engine's are the status its
# transition reached, or IGNORED.
RECEIVED = "RECEIVED"
IGNORED = "IGNORED"
_OUTCOME_BY = {"workflow": RECEIVED, "dropped": "REFUSED", "resume": "VOIDED"}
_ENGINE = "engine"


def _commandSeq(t):
    """The mailbox seq of the command that opened transition ``t``, or None
    (a transition recorded before commands were linked to it)."""
    try:
        detail = codec.decode(t.detail) if t.detail else None
    except ValueError:
        return None
    return detail.get("commandSeq") if isinstance(detail, dict) else None


def _outcomes(store, workflowId, msgs):
    """Sets each message's ``outcome`` and ``transition`` (getCommands)."""
    taken = [m["consumedMs"] for m in msgs if m["consumedBy"] == _ENGINE]
    bySeq, byTime = {}, {}
    if taken:
        for t in transitions.commanded(store, workflowId, min(taken), max(taken)):
            seq = _commandSeq(t)
            if seq is not None:
                bySeq[seq] = t
            else:
                byTime.setdefault((t.startedMs, t.command), t)
    for m in msgs:
        m["outcome"], m["transition"] = None, None
        if m["consumedMs"] is None:
            continue
        if m["consumedBy"] != _ENGINE:
            m["outcome"] = _OUTCOME_BY.get(m["consumedBy"], RECEIVED)
            continue
        t = bySeq.get(m["seq"]) or byTime.get((m["consumedMs"], m["cmd"]))
        if t is None:
            m["outcome"] = IGNORED
        else:
            m["outcome"], m["transition"] = t.toStatus, t.seq


def getCommands(dbName, workflowId, limit=PAGE_LIMIT, offset=0):
    """Returns one page (``limit`` from ``offset``) of the run's mailbox,
    oldest first, each message with its ``outcome``: None while unread;
    the status the run went to when the engine took it (HOLDING, HELD,
    RESTARTING, RUNNING, STOPPING, STOPPED, ABORTING, ABORTED; its
    ``transition`` is getTransitions' seq), IGNORED when it changed
    nothing; RECEIVED (rt.recvCommand or rt.recv took it), REFUSED (an
    arbitrated rt.recvCommand refused it) or VOIDED (left unread by a run
    that ended and was resumed).

    Raises:
        InvalidArguments: limit not 1-10000, or offset not 0-10^9.
        NotFound: no such run.
    """
    limit, offset = _page(limit, offset)
    store = database.prepare(dbName)
    requireRun(store, workflowId)
    out = []
    for msg in mailbox.history(store, workflowId, limit, offset):
        payload = codec.decode(msg.pop("payload"))
        # A message on another topic (rt.send) may be any JSON value, not a dict.
        msg["cmd"] = payload.get("cmd") if isinstance(payload, dict) else None
        out.append(msg)
    _outcomes(store, workflowId, out)
    return out


def getEvents(dbName, workflowId):
    store = database.prepare(dbName)
    hide = _hideFor(store, workflowId)
    return dict((e["key"], masking.scrub(codec.decode(e["value"]), hide))
                for e in events.getEvents(store, workflowId))


def getEventHistory(dbName, workflowId, limit=PAGE_LIMIT, offset=0):
    """Returns one page of every value the run set with rt.setEvent, in the
    order it set them: [{key, value, atMs, functionId}]. Raises as getSteps.
    """
    store, hide, limit, offset = _maskedPage(dbName, workflowId, limit, offset)
    return [{"key": e["eventKey"], "value": masking.scrub(codec.decode(e["value"]), hide),
             "atMs": e["createdMs"], "functionId": e["functionId"]}
            for e in events.history(store, workflowId, limit, offset)]


def readStream(dbName, workflowId, key, afterOffset, limit):
    store = database.prepare(dbName)
    hide = _hideFor(store, workflowId)
    rows = events.readStream(store, workflowId, key, afterOffset, limit)
    for r in rows:
        r["value"] = masking.scrub(codec.decode(r["value"]), hide)
    return rows


def queueStatus(dbName, queueName):
    store = database.prepare(dbName)
    return runs.queueCounts(store, queueName)


def listQueues(dbName):
    store = database.prepare(dbName)
    return runs.listQueues(store)
