"""Waiting inside a workflow: the durable sleep operation, and the pause a
waiting step takes between polls.

A durable sleep records its wake-up time (``wakeAtMs``) as an operation
before it sleeps, so after a gateway crash the run sleeps only the time that
remains, and a replay returns what the first run recorded. It sleeps in
chunks that each end at a safe point: HOLD parks it (the remaining time
resumes after RESUME: time HELD is not running time), STOP, cancel and
timeouts end it within one chunk. Called inside a step or outside a
workflow it records nothing (the step is the durable unit) but its chunks
are still safe points.

A tag wait called in the workflow body (``wait.until_tag_equals``, whose
step is then the outermost one) may release its thread (``TagWait``): its
start and deadline are written to the run's row when it begins, so a woken
or recovered wait keeps its deadline, and the dispatcher reads the tags of
all released tag waits at once (``readTags``, ``satisfied``) and wakes the
satisfied ones with the value it saw.
"""
from exchange.workflows.core import clock, codec, states, tagvalues
from exchange.workflows.core.errors import ANY_ERROR, NotSerializable
from exchange.workflows.engine import identity
from exchange.workflows.engine.context import current
from exchange.workflows.engine.safepoints import releaseAfterMs
from exchange.workflows.store import runs

# The longest one read of the tags of released waits may take (ms).
TAG_READ_MS = 5000


def pause(ms):
    """Sleeps ``ms`` and then passes a safe point, even inside a step.

    For steps that wait (tag waits, confirmations): HOLD parks them here,
    STOP/cancel/timeout raise here, and a pending interrupt raises again
    before the sleep (a step body that caught it cannot keep waiting).
    Returns the ms spent HELD, which a wait adds to its deadline so that
    the remaining wait resumes after RESUME. Outside a workflow it just sleeps.
    """
    ctx = current()
    if ctx is not None and ctx.pending is not None:
        ctx.raisePending()
    clock.sleepMs(ms)
    if ctx is None:
        return 0
    return ctx.safePoint(insideStep=True)


def sleep(name, totalMs, chunkMs, note=None):
    """Sleeps ``totalMs`` of running time as the durable operation ``name``.

    Args:
        name: the operation's name in the run's history.
        totalMs: running time to sleep (ms >= 0).
        chunkMs: time between safe points (ms > 0).
        note: a dict recorded with the wake-up time (e.g. how the caller
            shapes its result), returned as recorded on replay.

    Returns:
        dict: the operation's record, ``note`` plus ``wakeAtMs`` and
        ``totalMs`` (on replay: what the first run recorded, which may lack
        keys added to ``note`` since); None when nothing was recorded
        (inside a step, or outside a workflow).
    """
    ctx = current()
    if ctx is None or ctx.inStep:
        # Time spent HELD inside pause() does not count: only chunks do.
        remaining = totalMs
        while remaining > 0:
            pause(min(chunkMs, remaining))
            remaining -= chunkMs
        return None
    # As at a step's entry: the safe point before the operation id is taken.
    ctx.safePoint()
    fid, rec = ctx.begin(name)
    if rec is not None:
        recorded = codec.decode(rec.output)
    else:
        recorded = dict(note or {})
        recorded["wakeAtMs"] = clock.nowMs() + totalMs
        recorded["totalMs"] = totalMs
        ctx.record(fid, name, output=codec.encode(recorded))
    ctx.sleepUntil(recorded["wakeAtMs"], chunkMs, fid)
    ctx.safePoint()
    return recorded


class TagWait(object):
    """The engine's side of a tag wait that may release its thread: the
    wait step polls (steps/tags.pollUntil) and calls ``begin`` once and
    ``polled`` after each pause. None of it applies to a wait nested in
    another step, or outside a workflow (``forStep`` returns None)."""

    def __init__(self, ctx, path, expected):
        self.ctx = ctx
        self.path = path
        self.expected = expected
        self.since = clock.nowMs()
        self.fid = ctx.stepId

    @staticmethod
    def forStep(path, expected):
        """A TagWait for the running wait step, or None when it may not release."""
        ctx = current()
        if ctx is None or not ctx.bodyWait or not ctx.inStep:
            return None
        try:
            codec.encode(tagvalues.plain(expected))
        except NotSerializable:
            return None
        return TagWait(ctx, path, expected)

    def begin(self, started, deadline):
        """Returns (started, deadline, observed) of the wait: those it had
        when it released its thread or began before a crash, and the value
        the dispatcher saw satisfy it ((value, qualityName), or None)."""
        note = self.ctx.wokenDetail(self.fid)
        observed = None
        if note and note.get("untilMs") is not None:
            started, deadline = note.get("startedMs", started), note["untilMs"]
            if "observed" in note:
                observed = (note["observed"], note.get("quality") or "Good")
        else:
            self.note(started, deadline)
        self.since = clock.nowMs()
        return started, deadline, observed

    def note(self, started, deadline):
        text = codec.encode({"fid": self.fid, "untilMs": deadline, "startedMs": started})
        ctx = self.ctx
        ctx.retrying(lambda: runs.noteWait(ctx.store, ctx.workflowId, ctx.epoch, text))

    def polled(self, deadline, started):
        """After a pause: releases the thread once the wait has polled
        releaseAfterMs here and more than that remains (``started``: when
        the wait began, moved on by the time held)."""
        ctx = self.ctx
        if deadline - clock.nowMs() <= releaseAfterMs() or not ctx.mayRelease(self.since, True):
            return
        detail = {"fid": self.fid, "untilMs": deadline, "startedMs": started, "path": self.path,
                  "expected": tagvalues.plain(self.expected)}
        if not ctx.release("TAG", states.RUNNING, deadline, self.unmet, detail,
                           identity.executorId()):
            self.since = clock.nowMs()

    def unmet(self):
        """For a release: True while the tag does not hold the value (a read
        that fails leaves the wait on its thread, where the step reports it)."""
        found = readTags([self.path]).get(self.path)
        return found is not None and not satisfied(found, self.expected) \
            and found[1] not in tagvalues.FATAL_QUALITIES


def readTags(paths):
    """{path: (value, qualityName, good)} of ``paths`` in one readBlocking;
    {} when the read raised."""
    try:
        read = system.tag.readBlocking(list(paths), TAG_READ_MS)
    except ANY_ERROR:
        return {}
    out = {}
    for path, qv in zip(paths, read):
        out[path] = (qv.value, tagvalues.qualityName(qv.quality), qv.quality.isGood())
    return out


def satisfied(found, expected):
    """True when a read (readTags' triple) satisfies a wait for ``expected``."""
    return found[2] and tagvalues.sameValue(found[0], expected)


def checkTags(waits):
    """Of released tag waits ``waits`` ([(workflowId, detail JSON)]): reads
    every tag they wait for in one readBlocking and returns [(workflowId,
    new detail JSON)] for those to wake: satisfied (the detail gains the
    value seen, which the woken wait returns: a pulse the check saw is not
    missed by a later read) or with a quality that will not change by
    waiting (the woken wait reads again and fails)."""
    notes = []
    for wid, text in waits:
        note = codec.decode(text) if text else None
        if isinstance(note, dict) and note.get("path"):
            notes.append((wid, note))
    if not notes:
        return []
    paths = sorted(set(note["path"] for _, note in notes))
    found = readTags(paths)
    wake = []
    for wid, note in notes:
        got = found.get(note["path"])
        if got is None:
            continue
        if satisfied(got, note.get("expected")):
            note["observed"] = tagvalues.plain(got[0])
            note["quality"] = got[1]
            wake.append((wid, codec.encode(note)))
        elif got[1] in tagvalues.FATAL_QUALITIES:
            wake.append((wid, None))
    return wake
