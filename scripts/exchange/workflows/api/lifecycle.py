"""What the gateway's startup and shutdown event scripts do.

Ignition runs shutdown-then-startup on every project save as well as on a
real gateway stop, and the two cannot be told apart from a script. So
shutdown never stops running workflows: on a save they go on running their
old code; on a real stop the JVM ends them and recovery resumes them on the
next start, from their last checkpoint.
"""
from exchange.workflows import apps
from exchange.workflows.engine import burst, kernel
from exchange.workflows.core.errors import ANY_ERROR, describe


def startup(modules=None):
    """Loads the workflow modules and marks this code version current."""
    kernel.get()
    kernel.generation()
    result = apps.load(modules)
    system.util.getLogger("exchange.workflows.lifecycle").infof(
        "exchange.workflows started: %d workflow modules loaded, %d failed, %d runs executing",
        len(result["loaded"]), len(result["failed"]), kernel.get()["running"].size())
    return result


def shutdown(flushMs=2000):
    """Makes queued in-memory requests durable, best effort within ``flushMs``."""
    log = system.util.getLogger("exchange.workflows.lifecycle")
    try:
        flushed = burst.flush(500, flushMs)
    except ANY_ERROR as e:
        flushed = 0
        log.warnf("shutdown: %d in-memory requests could not be flushed (%s); they are lost "
                  "if the gateway stops now", burst.depth(), describe(e))
    return {"flushed": flushed, "inMemoryDepth": burst.depth(),
            "running": kernel.get()["running"].size()}
