"""Runs a ``@step`` inside a workflow: replay, safe points, retries, checkpoint.

A step's result is converted to JSON *before* it is recorded; a result that
has no JSON form (StepOutputNotSerializable), or whose JSON is over the
``maxOutputBytes`` / ``maxJsonDepth`` limits (StepOutputTooLarge), fails the
step (recorded, never retried: its side effect already happened).
Exceptions raised to the workflow are rebuilt from the record the same way
live and on replay, so the workflow's control flow cannot differ after a
crash.

A run's pending interrupt (interrupts.py) is raised again at step entry, at
step exit before anything is recorded, and by a nested step called inside a
step: a step body that caught the interrupt of a wait cannot have its
result recorded, and no step starts after STOP, cancel or a timeout.
"""
import functools

from exchange.workflows.core import clock, codec, logs
from exchange.workflows.engine.context import current
from exchange.workflows.core.errors import (ANY_ERROR, NotSerializable, StepError, TooLarge,
                                              WorkflowInterrupt, describe, toRecord)
from exchange.workflows.engine.registry import MAX_RETRY_DELAY_SECONDS, stepOptions

try:
    import exceptions as _builtinErrors  # Python 2 / Jython
except ImportError:
    import builtins as _builtinErrors

# Values that come back from their JSON unchanged, type included: a live step
# returns them as they are, the same as a replay would, without a decode.
try:
    _SAME_AFTER_REPLAY = (type(None), bool, int, float, unicode)  # noqa: F821 - Python 2
except NameError:
    _SAME_AFTER_REPLAY = (type(None), bool, int, float, str)


def _logger():
    return logs.get("steps")


def rebuild(error):
    """Returns the exception a workflow sees for a recorded step error."""
    etype, message = error.get("type"), error.get("message")
    cls = getattr(_builtinErrors, etype or "", None)
    if isinstance(cls, type) and issubclass(cls, Exception) and cls is not Exception:
        try:
            exc = cls(message)
            exc.stepName = error.get("step")
            return exc
        except ANY_ERROR:
            pass
    return StepError(error.get("step"), etype, message)


def durable(fn, name, options):
    """Returns the durable wrapper of ``fn`` registered as step ``name``."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        ctx = current()
        if ctx is None:
            return fn(*args, **kwargs)
        if ctx.inStep:
            # Nested: part of the enclosing step, but not after an interrupt.
            if ctx.pending is not None:
                ctx.raisePending()
            return fn(*args, **kwargs)
        return run(ctx, fn, name, options, args, kwargs)
    wrapper.stepName = name
    wrapper.stepOptions = options

    def withOptions(overrides):
        """Returns this step with some retry options replaced, e.g.
        ``tags.write.withOptions({"max_attempts": 5})(path, value)``."""
        merged = dict(options)
        merged.update(overrides or {})
        return durable(fn, name, stepOptions(merged))
    wrapper.withOptions = withOptions
    return wrapper


def run(ctx, fn, name, options, args, kwargs):
    # The entry safe point comes before the step takes its operation id: an
    # error raised there (and swallowed by the workflow) leaves no gap in the
    # recorded history. While replaying, safePoint() does nothing.
    ctx.safePoint()
    fid, rec = ctx.begin(name)
    if rec is not None:
        if rec.error is not None:
            raise rebuild(codec.decode(rec.error))
        return codec.decode(rec.output)
    started = clock.nowMs()
    attempts, maxAttempts = 0, int(options["max_attempts"]) if options["retries_allowed"] else 1
    delay = float(options["interval_seconds"])
    while True:
        attempts += 1
        # Writes inside the step are numbered from 1 in every attempt: an
        # attempt that writes what an earlier one did replaces it.
        ctx.inStep, ctx.stepId, ctx.stepWrites = True, fid, {}
        try:
            value = fn(*args, **kwargs)
            failure = None
        except WorkflowInterrupt:
            raise
        except ANY_ERROR as e:
            failure = e
        finally:
            ctx.inStep = False
        if ctx.pending is not None:
            # The body caught the interrupt of a wait: its result or error is not recorded.
            ctx.raisePending()
        if failure is None:
            try:
                output = codec.encodeLimited(value, ctx.maxOutputBytes, ctx.maxDepth,
                                             "the output of step %s" % name)
            except NotSerializable as e:
                if isinstance(e, TooLarge):
                    error = {"type": "StepOutputTooLarge", "step": name,
                             "message": "%s; return less (a summary, or a key to data kept "
                                        "elsewhere)" % e}
                else:
                    error = {"type": "StepOutputNotSerializable", "step": name,
                             "message": "step %s returned a value with no JSON form (%s); "
                                        "return plain data" % (name, e)}
                ctx.record(fid, name, error=codec.encode(error), attempts=attempts,
                           startedMs=started)
                raise rebuild(error)
            ctx.record(fid, name, output=output, attempts=attempts, startedMs=started)
            ctx.safePoint()
            return value if type(value) in _SAME_AFTER_REPLAY else codec.decode(output)
        # An error that says so (e.g. bad arguments) would only fail again.
        if attempts >= maxAttempts or getattr(failure, "retryable", True) is False:
            error = toRecord(failure)
            error["step"] = name
            error["attempts"] = attempts
            ctx.record(fid, name, error=codec.encode(error), attempts=attempts, startedMs=started)
            raise rebuild(error)
        _logger().debugf("step %s attempt %d of %d failed (%s); retrying in %.1f s",
                         name, attempts, maxAttempts, describe(failure), delay)
        ctx.sleep(int(min(delay, MAX_RETRY_DELAY_SECONDS) * 1000))
        delay = delay * float(options["backoff_rate"])
