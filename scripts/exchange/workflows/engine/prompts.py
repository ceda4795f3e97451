"""Operator prompts: ``rt.ask`` in a run, and the operator's side
(``respond``, the list of pending prompts).

rt.ask is a durable operation (``rt.ask:<key>``). It writes its prompt row
(store/prompts.py), keyed by its operation id, then waits for the row to be
answered, passing a safe point every slice: HOLD parks it there (an answer
given while HELD is taken after RESUME), STOP, ABORT, cancel and the run's
timeout end it there. It looks at the row when the control board moves (a
local answer signals the run; an answer given through another gateway bumps
the run's cmd_seq, which this gateway's dispatcher refresh turns into a
signal) and every ROW_POLL_MS anyway.

The answer becomes the operation's record: ``{value, by, source, reason,
atMs}``. A replay returns it without waiting; a run that crashed after the
answer but before recording it finds the answered row and records it then.
A timeout is one transaction that moves the row PENDING -> TIMED_OUT and
records the default (``timedOut: True``) or PromptTimedOut, so an answer
and a timeout cannot both win. Time spent HELD does not count against the
timeout (as for sleep_chunked): the expiry moves back by it.
"""
from exchange.workflows.core import clock, codec, masking, states
from exchange.workflows.core import prompts as rules
from exchange.workflows.core.errors import (ClaimLost, DeterminismError, InvalidArguments,
                                              NotSerializable, PromptTimedOut,
                                              WorkflowInterrupt, WorkflowsError)
from exchange.workflows.engine import database, kernel, queries
from exchange.workflows.engine.safepoints import SLICE_MS, Released
from exchange.workflows.store import db, prompts, runs

PREFIX = "rt.ask:"
# Without a signal the row is looked at this often anyway (a signal lost to
# a dispatcher that is not running must not leave a run waiting for good).
ROW_POLL_MS = 5000
_AGAIN = object()


class PromptNotPending(WorkflowsError):
    code = "PROMPT_NOT_PENDING"


# -- the run's side ----------------------------------------------------------------------------
def ask(ctx, key, prompt, choices, default, timeoutSeconds):
    """rt.ask for the run of ``ctx``; returns the answer (see the module docstring).

    Raises:
        InvalidArguments: bad arguments (core/prompts.checkAsk), or values
            with no JSON form or over the value limits.
        DeterminismError: called inside a step.
        PromptTimedOut: no answer within ``timeoutSeconds`` and no default.
    """
    if ctx.pending is not None:
        ctx.raisePending()
    if ctx.inStep:
        raise DeterminismError("rt.ask cannot be called inside a step: call it in the "
                               "workflow body (or a handler)")
    choices, default, timeoutMs = rules.checkAsk(prompt, choices, default, timeoutSeconds)
    try:
        choicesText = None if choices is None else codec.encodeLimited(
            choices, ctx.maxValueBytes, ctx.maxDepth, "rt.ask's choices")
        defaultText = None if default is None else codec.encodeLimited(
            default, ctx.maxValueBytes, ctx.maxDepth, "rt.ask's default")
    except NotSerializable as e:
        raise InvalidArguments(str(e))
    name = PREFIX + key
    # A run woken HELD (it released its thread while held in this wait)
    # parks here: the time held then moves the prompt's expiry back.
    held = ctx.safePoint()
    fid, rec = ctx.begin(name)
    if rec is not None:
        return _outcome(key, rec)
    row = _open(ctx, fid, key, prompt, choicesText, defaultText, timeoutMs)
    if held and row is not None and row["expiresMs"] is not None and row["createdMs"] < \
            clock.nowMs() - held:
        row["expiresMs"] += held
        ctx.retrying(lambda: prompts.extend(ctx.store, ctx.workflowId, fid, row["expiresMs"]))
    try:
        return _wait(ctx, fid, name, key, default, row)
    except WorkflowInterrupt as e:
        if not isinstance(e, (ClaimLost, Released)):
            # The run ends (stopped, aborted, cancelled, timed out): its
            # prompt is no longer a question. A lost claim leaves it to
            # the gateway that holds the run now; a released run still asks.
            _closeQuietly(ctx, fid)
        raise


def _outcome(key, rec):
    """What a recorded rt.ask returns (or raises) on replay."""
    if rec.error is not None:
        raise PromptTimedOut(key, (codec.decode(rec.error) or {}).get("message"))
    return codec.decode(rec.output).get("value")


def _open(ctx, fid, key, prompt, choicesText, defaultText, timeoutMs):
    """The prompt row of operation ``fid``: inserted PENDING, or found (a
    replay after a crash), or opened again (a resumed run asking again)."""
    now = clock.nowMs()
    expires = None if timeoutMs is None else now + timeoutMs
    row = ctx.retrying(lambda: prompts.get(ctx.store, ctx.workflowId, fid))
    if row is None:
        try:
            ctx.retrying(lambda: prompts.insert(ctx.store, ctx.workflowId, fid, key, prompt,
                                                choicesText, defaultText, expires, now))
        except db.UniqueViolation:
            pass
    elif row["status"] in (prompts.CLOSED, prompts.TIMED_OUT):
        ctx.retrying(lambda: prompts.reopen(ctx.store, ctx.workflowId, fid, expires, now))
    return ctx.retrying(lambda: prompts.get(ctx.store, ctx.workflowId, fid))


def _wait(ctx, fid, name, key, default, row):
    looked, lookedAt = ctx.board.get(), clock.nowMs()
    expires = row["expiresMs"]
    since = lookedAt
    while True:
        if row["status"] == prompts.ANSWERED:
            return _take(ctx, fid, name, row)
        if row["status"] != prompts.PENDING:
            # Closed under us (a run ended, then resumed meanwhile): ours
            # again if the row check passes, so the question stands.
            ctx.checkRow()
            ctx.retrying(lambda e=expires: prompts.reopen(ctx.store, ctx.workflowId, fid, e,
                                                          clock.nowMs()))
            row["status"] = prompts.PENDING
        now = clock.nowMs()
        if expires is not None and now >= expires:
            result = _timeOut(ctx, fid, name, key, default)
            if result is not _AGAIN:
                return result
        else:
            clock.sleepMs(SLICE_MS if expires is None else max(1, min(SLICE_MS, expires - now)))
            held = ctx.safePoint()
            if held and expires is not None:
                expires += held
                ctx.retrying(lambda e=expires: prompts.extend(ctx.store, ctx.workflowId, fid, e))
            v = ctx.board.get()
            if v == looked and clock.nowMs() - lookedAt < ROW_POLL_MS:
                if ctx.mayRelease(since) and not ctx.release(
                        "PROMPT", states.RUNNING, expires, lambda: _stillPending(ctx, fid),
                        {"fid": fid, "key": key}):
                    since = clock.nowMs()
                continue
            looked, lookedAt = v, clock.nowMs()
        row = ctx.retrying(lambda: prompts.get(ctx.store, ctx.workflowId, fid))
        if row is None:
            # Only retention deletes prompt rows, and only of finished runs.
            ctx.checkRow()
            raise ctx.interrupt(ClaimLost("the run's prompt row vanished"))
        expires = row["expiresMs"]


def _stillPending(ctx, fid):
    """For a release: True while the prompt is still unanswered."""
    row = ctx.retrying(lambda: prompts.get(ctx.store, ctx.workflowId, fid))
    return row is not None and row["status"] == prompts.PENDING


def _take(ctx, fid, name, row):
    """Records the answer in ``row`` as the operation's result; returns the value."""
    value = codec.decode(row["answer"])
    ctx.record(fid, name, output=codec.encode({
        "value": value, "by": row["answeredBy"], "source": row["answeredSource"],
        "reason": row["answerReason"], "atMs": row["answeredMs"]}))
    return value


def _timeOut(ctx, fid, name, key, default):
    """Ends the wait with the default (or PromptTimedOut), unless the prompt
    was answered meanwhile: then returns _AGAIN (look at the row again)."""
    now = clock.nowMs()
    if default is None:
        output, error = None, codec.encode({"type": "PromptTimedOut", "key": key,
                                            "message": "no answer to prompt %r in time" % key})
    else:
        output, error = codec.encode({"value": default, "timedOut": True, "atMs": now}), None

    def both():
        with ctx.store.transaction() as tx:
            if prompts.timeOut(ctx.store, ctx.workflowId, fid, now, tx) != 1:
                return False
            ctx.record(fid, name, output=output, error=error, tx=tx)
            return True
    try:
        done = ctx.retrying(both)
    except db.UniqueViolation:
        # Our own earlier attempt, whose commit answer was lost.
        return _outcome(key, ctx.confirmOwnWrite(fid, name))
    if not done:
        return _AGAIN
    if default is None:
        raise PromptTimedOut(key)
    return default


def _closeQuietly(ctx, fid):
    try:
        prompts.close(ctx.store, ctx.workflowId, fid, clock.nowMs())
    except db.DatabaseError:
        # The list shows only prompts of active runs: an ended run's open
        # row is not listed, and cannot be answered.
        pass


# -- the operator's side -----------------------------------------------------------------------
def operatorJson(value, what):
    """The JSON text of a value an operator sends (an answer, a message),
    within the gateway's value limits.

    Raises:
        InvalidArguments: no JSON form, over maxValueBytes or maxJsonDepth.
    """
    try:
        return codec.encodeLimited(value, int(kernel.config("maxValueBytes")),
                                   int(kernel.config("maxJsonDepth")), what)
    except NotSerializable as e:
        raise InvalidArguments(str(e))


def respond(dbName, workflowId, key, value, reason, by, source):
    """Answers the run's pending prompt ``key``; returns {workflowId, key,
    value (as recorded: the choice itself), status, answeredBy, answeredMs}.

    Raises:
        InvalidArguments: the value has no JSON form, is over the value
            limits, or is not one of the prompt's choices.
        NotFound: no such run.
        PromptNotPending: the run has no pending prompt ``key`` (never
            asked, answered already, timed out, or the run ended).
    """
    store = database.prepare(dbName)
    text = operatorJson(value, "the answer")
    pending = prompts.pendingByKey(store, workflowId, key)
    if not pending:
        queries.requireRun(store, workflowId)
        raise PromptNotPending("Workflow %s has no pending prompt %r (it was never asked, was "
                               "answered or timed out, or the run ended)." % (workflowId, key))
    row = pending[0]
    choice = rules.choiceFor(codec.decode(text), codec.decode(row["choices"]))
    now = clock.nowMs()
    with store.transaction() as tx:
        # The bump proves the run is active and tells the gateway holding
        # it (its next dispatch refresh) to look; the answer is conditional
        # on the prompt still pending. Raising here undoes the bump.
        taken = runs.bumpCommandSeq(store, workflowId, now, tx)
        if taken is None or prompts.answer(store, workflowId, row["functionId"],
                                           codec.encode(choice), by, source, reason, now,
                                           tx) != 1:
            raise PromptNotPending("Workflow %s's prompt %r is no longer pending (answered or "
                                   "timed out meanwhile, or the run ended)." % (workflowId, key))
    # Imported here: dispatcher -> executor -> context -> operations -> this
    # module would be an import cycle at load time.
    from exchange.workflows.engine import dispatcher
    dispatcher.notify(dbName, workflowId)
    return {"workflowId": workflowId, "key": key, "value": choice, "status": taken[1],
            "answeredBy": by, "answeredMs": now}


def ofRun(dbName, workflowId, limit):
    """Up to ``limit`` prompts the run asked, in the order asked, with their
    answers (who, when, why), masked with the run's secret inputs: for its
    batch record."""
    store = database.prepare(dbName)
    run = queries.requireRun(store, workflowId)
    hide = queries.secretTexts(run["workflowName"], run["inputs"])
    return [{"key": r["promptKey"], "functionId": r["functionId"], "status": r["status"],
             "prompt": masking.scrub(r["prompt"], hide),
             "choices": masking.scrub(codec.decode(r["choices"]), hide),
             "default": masking.scrub(codec.decode(r["defaultValue"]), hide),
             "createdMs": r["createdMs"], "expiresMs": r["expiresMs"],
             "answer": masking.scrub(codec.decode(r["answer"]), hide),
             "answeredBy": r["answeredBy"], "answeredSource": r["answeredSource"],
             "answerReason": r["answerReason"], "answeredMs": r["answeredMs"]}
            for r in prompts.ofRun(store, workflowId, limit)]


def listPending(dbName, workflowName, workflowId, limit, offset):
    """{rows, total, limit, offset}: pending prompts of active runs, oldest
    first, masked with each run's secret inputs."""
    store = database.prepare(dbName)
    rows, total = prompts.listPending(store, workflowName, workflowId, limit, offset)
    out = []
    for r in rows:
        hide = queries.secretTexts(r["workflowName"], r["inputs"])
        expires = r["expiresMs"]
        out.append({
            "workflowId": r["workflowId"], "workflowName": r["workflowName"],
            "runStatus": r["runStatus"], "key": r["promptKey"], "functionId": r["functionId"],
            "prompt": masking.scrub(r["prompt"], hide),
            "choices": masking.scrub(codec.decode(r["choices"]), hide),
            "default": masking.scrub(codec.decode(r["defaultValue"]), hide),
            "createdMs": r["createdMs"], "expiresMs": expires,
            "timeoutMs": None if expires is None else expires - r["createdMs"]})
    return {"rows": out, "total": total, "limit": limit, "offset": offset}

