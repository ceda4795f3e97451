"""ignition-workflows 0.3.6's ``exchange.workflows.engine.runtime``, kept at
the same path so its users' workflow modules run unchanged:

    from exchange.workflows.engine.runtime import workflow, step, Cancelled
    from exchange.workflows.engine.instance import getWorkflows

    @workflow(name="site.fill")
    def fill(batch):
        ...

A workflow registered here is an *upstream-profile* workflow: it gets
0.3.6's defaults where the two projects differ (the built-in steps return
0.3.6's result shapes, steps/results.py), and is otherwise run by the same
engine as one registered through ``exchange.workflows.bootstrap``.
Differences from 0.3.6 (docs/migrating-from-0.3.md): a step called outside
a workflow runs as a plain function (0.3.6 raised); ``Cancelled`` is also
what a STOP or a timeout raises, and it derives from BaseException, so an
``except Exception`` in the workflow cannot swallow it.
"""
from exchange.workflows.core.errors import WorkflowInterrupt
from exchange.workflows.engine import registry
from exchange.workflows.engine.instance import WorkflowsRuntime
from exchange.workflows.engine.submit import NotRegistered

__all__ = ["workflow", "step", "Cancelled", "WorkflowNotFound", "WorkflowsRuntime"]

# ``except Cancelled:`` catches a cancel, a STOP, a timeout and a lost
# claim, as 0.3.6's catches its cancel and timeout. Catching it does not
# keep the run going: it still ends CANCELLED, STOPPED or ERROR.
Cancelled = WorkflowInterrupt
# What the engine raises for a workflow name nobody registered.
WorkflowNotFound = NotRegistered


def workflow(name=None, **options):
    """Registers a workflow as 0.3.6 did: ``@workflow(name="area.task")`` or
    ``@workflow()``; the default name is the function's own name (0.3.6's
    rule, where ``bootstrap.workflow`` uses ``module.function``).

    Args:
        name: the name start() takes; default ``fn.__name__``.
        options: any keyword of ``bootstrap.workflow`` (``secretInputs``,
            ``onHold``, ...), for modules that mix the two styles.

    Returns:
        The decorator; it returns the function unchanged.

    Raises:
        InvalidArguments: as ``bootstrap.workflow``.
    """
    if callable(name):  # bare @workflow, which 0.3.6 did not support either way
        return workflow()(name)

    def register(fn):
        return registry.workflow(fn, name=name or fn.__name__, profile=registry.UPSTREAM,
                                 **options)
    return register


def step(name=None, options=None):
    """Makes a function a durable step as 0.3.6 did: ``@step(name=...,
    options={"retries_allowed": True, "max_attempts": 3, "interval_seconds": 1,
    "backoff_rate": 2})``; the default name is the function's own name.

    Raises:
        InvalidArguments: an unknown option, or an option out of range.
    """
    if callable(name):
        return step()(name)

    def wrap(fn):
        return registry.step(fn, name=name or fn.__name__, options=options)
    return wrap
