"""Registers the site's workflow modules. On a gateway this script is
``exchange.workflows.apps.__init__`` (tools/build puts it there), the
layout of ignition-workflows 0.3.6:

    from exchange.workflows.apps import __init__ as apps
    apps.load()                      # True when every module imported

Decorators register at import time, so loading means importing. The
gateway startup script loads the modules (admin.startup); a project save
runs it again on the new code.

Add your workflow modules to MODULES, by full name. Keep them under
``exchange/workflows/apps/<yours>/`` (e.g. ``exchange.workflows.apps.site.flows``)
or anywhere else in the project. MODULES is empty as shipped: a plant's
gateway offers only the workflows its integrator registers; ``tools/demo``
registers the demo workflows with ``loadReport(["exchange.workflows.demo"])``.
TEST_MODULES are loaded only by ``load(include_tests=True)``.

A site may replace this script with its own 0.3.6-style one (a ``load``
that imports its modules and returns True): the startup script then calls
its ``load(include_tests=False)``.
"""
import sys

from exchange.workflows.core import logs

__all__ = ["MODULES", "TEST_MODULES", "load", "loadReport"]

MODULES = []
TEST_MODULES = []


def load(include_tests=False, modules=None):
    """Imports MODULES, ``modules`` and, with ``include_tests``, TEST_MODULES.

    Importing again does nothing: a module already imported is not run
    twice. ``include_tests`` defaults to False where 0.3.6's was True:
    0.3.6's True imported its own test fixtures, which this project does
    not ship.

    Returns:
        bool: True when every module imported; False when one failed (it
        is logged, and the others still register).
    """
    names = list(TEST_MODULES) if include_tests else []
    return not loadReport(names + list(modules or []))["failed"]


def loadReport(modules=None):
    """Imports MODULES and ``modules``; returns ``{"loaded": [names],
    "failed": {name: error}}``. A module that fails to import is logged and
    reported, and does not stop the others from registering."""
    from exchange.workflows.core.errors import ANY_ERROR, describe
    loaded, failed = [], {}
    for name in list(MODULES) + list(modules or []):
        if name in loaded or name in failed:
            continue
        try:
            __import__(name)
            sys.modules[name]  # a name that imported as something else is not loaded
            loaded.append(name)
        except ANY_ERROR as e:
            failed[name] = describe(e)
            logs.get("apps").error(
                "Could not load workflow module %s: %s" % (name, describe(e)))
    return {"loaded": loaded, "failed": failed}
