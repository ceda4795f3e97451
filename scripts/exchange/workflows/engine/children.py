"""Child runs: ``rt.startChild`` and the waits ``rt.awaitChild``,
``rt.awaitAll`` and ``rt.awaitAny``; and, on the sender's side, the
parent's commands and cancel reaching its children.

startChild is a durable operation (``rt.startChild``): one transaction
inserts the child's row (ENQUEUED, marked with its parent) and records the
operation with the child's id. The id is made of the parent's id and the
operation's number, so a replay returns the same child and nothing can
start a second one. The child runs on whichever gateway claims it, in its
own queue: children of one parent run in parallel up to the queue's limits
(``admin.configureQueue``): that is how parallel branches are bounded.

The waits are durable operations too (``rt.awaitChild`` ...): the
children's outcomes are recorded once the wait is over, so a replay returns
(or raises) the same without waiting. While waiting the parent passes a
safe point every slice: HOLD parks it there, STOP, ABORT and cancel end it
there. It looks at the children's rows when its control board moves (a
child ending on this gateway signals its parent at once:
kernel.childEnded) and every
ROW_POLL_MS anyway (a child that ended on another gateway). Time the
parent spends HELD does not count against ``timeoutSeconds``. Past the
kernel's ``releaseAfterMs`` the wait releases the parent's worker thread
(docs/control.md "Waits that hold no thread"): each dispatch cycle checks
the released parents' children in one query and wakes those whose wait is
over; the woken parent keeps its wait's expiry.

Commands: HOLD, RESUME, STOP and ABORT sent to a parent are sent to its
active children started with ``propagate=True`` (the default), and theirs,
and cancel likewise, in the sender's call after the parent's own command
committed (a child that ends meanwhile is skipped).
"""
import hashlib

from exchange.workflows.core import clock, codec, logs, states
from exchange.workflows.core.errors import (ANY_ERROR, ChildFailed, ChildTimedOut,
                                              DeterminismError, InvalidArguments, WorkflowsError)
from exchange.workflows.engine import kernel
from exchange.workflows.engine.safepoints import SLICE_MS
from exchange.workflows.store import children, db, runs

START = "rt.startChild"
AWAIT = {"one": "rt.awaitChild", "all": "rt.awaitAll", "any": "rt.awaitAny"}
ROW_POLL_MS = 1000
MAX_AWAITED = 1000
CREATED_BY_PREFIX = "workflow:"


def childIdOf(parentId, functionId):
    """The child's run id: the parent's, a dot, ``c`` and the operation
    number; a hash of the parent's when that would pass 64 characters."""
    wid = "%s.c%d" % (parentId, functionId)
    if len(wid) <= 64:
        return wid
    return "c-%s.%d" % (hashlib.sha1(parentId.encode("utf-8")).hexdigest()[:32], functionId)


# -- the parent's side ------------------------------------------------------------------------
def startChild(ctx, workflowName, inputs, queueName, partitionKey, priority, timeoutSeconds,
               propagate):
    """rt.startChild: returns the child's run id (the same on replay)."""
    if ctx.pending is not None:
        ctx.raisePending()
    if ctx.inStep:
        raise DeterminismError("rt.startChild cannot be called inside a step: call it in the "
                               "workflow body")
    if not isinstance(propagate, bool):
        raise InvalidArguments("propagate must be True or False.")
    fid, rec = ctx.begin(START)
    if rec is not None:
        return codec.decode(rec.output)["childId"]
    childId = childIdOf(ctx.workflowId, fid)
    # Imported here: submit -> dispatcher -> executor -> context -> operations
    # -> this module would be an import cycle at load time.
    from exchange.workflows.engine import submit
    _wid, row = submit.build(workflowName, inputs, queueName or "default", partitionKey,
                             0 if priority is None else priority, None, None, timeoutSeconds,
                             CREATED_BY_PREFIX + ctx.workflowId, childId)
    output = codec.encode({"childId": childId, "workflowName": workflowName})

    def both():
        with ctx.store.transaction() as tx:
            if runs.insert(ctx.store, [row], tx) == 1:
                children.setParent(ctx.store, childId, ctx.workflowId, propagate, tx)
            ctx.record(fid, START, output=output, tx=tx)
    try:
        ctx.retrying(both)
    except db.UniqueViolation:
        ctx.confirmOwnWrite(fid, START)  # our own earlier attempt, its answer lost
    kernel.flag("moreWork", row[3], True)
    kernel.get()["childParents"].put(childId, ctx.workflowId)
    return childId


def awaitChildren(ctx, ids, mode, timeoutSeconds):
    """rt.awaitChild (mode "one"), awaitAll ("all"), awaitAny ("any")."""
    if ctx.pending is not None:
        ctx.raisePending()
    if ctx.inStep:
        raise DeterminismError("%s cannot be called inside a step" % AWAIT[mode])
    ids = _checkIds(ids, mode)
    timeoutMs = None
    if timeoutSeconds is not None:
        if isinstance(timeoutSeconds, bool) or not isinstance(timeoutSeconds, (int, float)) \
                or not 0 < timeoutSeconds <= 365 * 86400:
            raise InvalidArguments("timeoutSeconds must be a positive number of seconds or None.")
        timeoutMs = int(timeoutSeconds * 1000)
    name = AWAIT[mode]
    held = ctx.safePoint()
    fid, rec = ctx.begin(name)
    if rec is None:
        try:
            rec = _wait(ctx, fid, name, ids, mode, timeoutMs, held)
        finally:
            ctx.waitNote = None
    for wid in ids:
        kernel.get()["childParents"].remove(wid)
    return _result(rec, mode, ids)


def _checkIds(ids, mode):
    if mode == "one":
        ids = [ids]
    elif not isinstance(ids, (list, tuple)) or not ids:
        raise InvalidArguments("%s takes a non-empty list of child run ids." % AWAIT[mode])
    if len(ids) > MAX_AWAITED:
        raise InvalidArguments("%s waits for at most %d runs." % (AWAIT[mode], MAX_AWAITED))
    for wid in ids:
        if not isinstance(wid, codec.TEXT) or not wid:
            raise InvalidArguments("child run ids are the strings rt.startChild returned.")
    return list(ids)


class _Recorded(object):
    __slots__ = ("output", "error")

    def __init__(self, output, error):
        self.output = output
        self.error = error


def _wait(ctx, fid, name, ids, mode, timeoutMs, held):
    """Waits for the children; past releaseAfterMs it releases the thread
    (kind CHILD: the dispatcher's child check wakes it once the children
    have ended as ``mode`` needs, releasedChildrenDone). A woken wait keeps
    the expiry it had (plus the time it was held just before)."""
    expires = ctx.wokenUntil(fid)
    if expires is not None:
        expires += held
    elif timeoutMs is not None:
        expires = clock.nowMs() + timeoutMs
    looked, lookedAt = ctx.board.get(), 0
    since = clock.nowMs()
    ctx.waitNote = {"fid": fid, "untilMs": expires}
    while True:
        if lookedAt == 0 or ctx.board.get() != looked or clock.nowMs() - lookedAt >= ROW_POLL_MS:
            looked, lookedAt = ctx.board.get(), clock.nowMs()
            found = _outcomes(ctx, ids, name)
            done = _decided(found, ids, mode)
            if done is not None:
                output = codec.encode(done)
                ctx.record(fid, name, output=output)
                return _Recorded(output, None)
        now = clock.nowMs()
        if expires is not None and now >= expires:
            error = codec.encode({"type": "ChildTimedOut", "childIds": ids,
                                  "message": "child run(s) %s did not end in time"
                                  % ", ".join(ids)})
            ctx.record(fid, name, error=error)
            return _Recorded(None, error)
        if ctx.mayRelease(since):
            if not ctx.release("CHILD", states.RUNNING, expires,
                               lambda: _decided(_outcomes(ctx, ids, name), ids, mode) is None,
                               {"ids": ids, "mode": mode}):
                since = clock.nowMs()
        clock.sleepMs(SLICE_MS if expires is None else max(1, min(SLICE_MS, expires - now)))
        held = ctx.safePoint()
        if held and expires is not None:
            expires += held
            ctx.waitNote = {"fid": fid, "untilMs": expires}


def _outcomes(ctx, ids, name):
    found = ctx.retrying(lambda: children.outcomes(ctx.store, ids))
    missing = [wid for wid in ids if wid not in found]
    if missing:
        raise InvalidArguments("No run %s in this database: %s takes ids that "
                               "rt.startChild returned." % (missing[0], name))
    return found


def releasedChildrenDone(store, waits):
    """Of the released CHILD waits ``waits`` ([(workflowId, detail JSON)]),
    the ids of the runs whose children have ended as their wait needs (or
    whose child row vanished: the woken wait says so). Their children are
    read together, 500 ids per query."""
    wanted, allIds = [], set()
    for wid, detail in waits:
        note = codec.decode(detail) if detail else None
        if isinstance(note, dict) and note.get("ids"):
            wanted.append((wid, note["ids"], note.get("mode") or "all"))
            allIds.update(note["ids"])
    found, ids = {}, sorted(allIds)
    for start in range(0, len(ids), 500):
        found.update(children.outcomes(store, ids[start:start + 500]))
    done = []
    for wid, ids, mode in wanted:
        if not all(c in found for c in ids) or _decided(found, ids, mode) is not None:
            done.append(wid)
    return done


def _decided(found, ids, mode):
    """The record of a wait that is over ({"children": [...]}), or None."""
    ended = [wid for wid in ids if found[wid][0] in states.FINISHED]
    if mode == "any":
        if not ended:
            return None
        ids = ended[:1]
    elif len(ended) < len(ids):
        return None
    return {"children": [{"childId": wid, "status": found[wid][0],
                          "output": codec.decode(found[wid][1]) if found[wid][1] else None,
                          "error": codec.decode(found[wid][2]) if found[wid][2] else None}
                         for wid in ids]}


def _result(rec, mode, ids):
    if rec.error is not None:
        error = codec.decode(rec.error) or {}
        raise ChildTimedOut(error.get("childIds") or ids, error.get("message"))
    outcome = codec.decode(rec.output)["children"]
    for child in outcome:
        if child["status"] != states.SUCCESS:
            raise ChildFailed(child["childId"], child["status"], child["error"])
    if mode == "one":
        return outcome[0]["output"]
    if mode == "any":
        return {"childId": outcome[0]["childId"], "output": outcome[0]["output"]}
    return [child["output"] for child in outcome]


# -- the sender's side ------------------------------------------------------------------------
def propagate(store, parentId, send):
    """Calls ``send(childId)`` for each active child of ``parentId`` that
    takes its parent's commands (``send`` passes them on to the child's own
    children in turn); a child that ended meanwhile (its send raising
    WorkflowsError) is skipped. Returns how many children were reached."""
    reached = 0
    for childId in children.propagatedTo(store, parentId):
        try:
            send(childId)
            reached += 1
        except WorkflowsError:
            continue
        except ANY_ERROR as e:
            logs.get("children").warnf("could not pass a command on to child run %s: %s",
                                       childId, e)
    return reached
