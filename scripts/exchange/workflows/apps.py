"""Registers the project's workflows: ``exchange.workflows.apps.load()``.

Decorators register at import time, so loading means importing. The gateway
startup script calls ``load()``; a project save re-runs it on the new code.
Add your own workflow modules to MODULES (or pass them to ``load``).

MODULES is empty as shipped: a plant's gateway offers only the workflows its
integrator registers. The demo workflows (``exchange.workflows.demo``) are
registered by ``tools/demo`` alone, with ``load(["exchange.workflows.demo"])``.

This is a module, not a package, on purpose: in an Ignition project a script
folder that has its own code hides its child modules.
"""
import sys

MODULES = []


def load(modules=None):
    """Imports every workflow module; returns {"loaded": [...], "failed": {name: error}}.

    A module that fails to import is logged and reported, and does not stop
    the others from registering.
    """
    from exchange.workflows.core.errors import ANY_ERROR, describe
    log = system.util.getLogger("exchange.workflows.apps")
    loaded, failed = [], {}
    for name in list(MODULES) + list(modules or []):
        try:
            __import__(name)
            sys.modules[name]
            loaded.append(name)
        except ANY_ERROR as e:
            failed[name] = describe(e)
            log.error("Could not load workflow module %s: %s" % (name, describe(e)))
    return {"loaded": loaded, "failed": failed}
