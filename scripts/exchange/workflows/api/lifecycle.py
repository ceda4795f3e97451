"""What the gateway's startup and shutdown event scripts do.

Ignition runs shutdown-then-startup on every project save as well as on a
real gateway stop, and the two cannot be told apart from a script. So
shutdown never stops running workflows: on a save they go on running their
old code; on a real stop the JVM ends them and recovery resumes them on the
next start, from their last checkpoint.
"""
from exchange.workflows.core import logs
from exchange.workflows.engine import burst, debounce, kernel
from exchange.workflows.core.errors import ANY_ERROR, describe

__all__ = ["startup", "shutdown"]

# The loader's name on a gateway: the apps folder's child script __init__.
_APPS_LOADER = "exchange.workflows.apps.__init__"


def startup(modules=None):
    """Loads the workflow modules and marks this code version current.

    Returns:
        dict: ``{"loaded": [module names], "failed": {name: error}}``.
    """
    kernel.get()
    kernel.generation()
    result = _loadApps(modules)
    logs.get("lifecycle").infof(
        "exchange.workflows started: %d workflow modules loaded, %d failed, %d runs executing",
        len(result["loaded"]), len(result["failed"]), kernel.get()["running"].size())
    return result


def _loadApps(modules):
    """Runs the project's apps loader: ours (apps/_init.py, which reports each
    module), or a site's own 0.3.6-style ``apps/__init__`` that replaced it
    (``load(include_tests=True)`` returning True), called with
    include_tests=False: 0.3.6's True imported test fixtures no project of
    ours has. Never raises: a loader that fails is reported in ``failed``."""
    log = logs.get("lifecycle")
    try:
        # One spelling for both layouts: on a gateway the child script
        # __init__, in source mode the package re-exports apps/_init.py so.
        from exchange.workflows.apps import __init__ as loader
        report = getattr(loader, "loadReport", None)
        if report is not None:
            return report(modules)
        ok = loader.load(include_tests=False)
    except ANY_ERROR as e:
        log.error("Could not load the workflow modules: %s failed: %s"
                  % (_APPS_LOADER, describe(e)))
        return {"loaded": [], "failed": {_APPS_LOADER: describe(e)}}
    failed = {}
    if ok is False:
        failed[_APPS_LOADER] = "load() returned False"
    for name in modules or ():
        # A 0.3.6-style loader imports what it lists and nothing else.
        failed[name] = ("not loaded: the project's %s has no loadReport(); list the module "
                        "in its load()" % _APPS_LOADER)
    for name, why in sorted(failed.items()):
        log.error("Could not load workflow module %s: %s" % (name, why))
    return {"loaded": [] if _APPS_LOADER in failed else [_APPS_LOADER], "failed": failed}


def shutdown(flushMs=2000):
    """Makes queued in-memory requests durable, best effort within ``flushMs``."""
    log = logs.get("lifecycle")
    try:
        # Debounced requests start early rather than be lost with the JVM.
        debounce.release(everything=True)
        flushed = burst.flush(500, flushMs)
    except ANY_ERROR as e:
        flushed = 0
        log.warnf("shutdown: %d in-memory requests could not be flushed (%s); they are lost "
                  "if the gateway stops now", burst.depth(), describe(e))
    return {"flushed": flushed, "inMemoryDepth": burst.depth(),
            "running": kernel.get()["running"].size()}
