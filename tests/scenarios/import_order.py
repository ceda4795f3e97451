"""Every module of the package can be the first one imported, under
Jython 2.7 (whose ``from package import module`` fails inside an import
cycle that Python 3 would resolve). A timer, a tag-change script or a
Perspective view may be the first to touch any module after a project
save, so an order that only works from api.service is a bug waiting for
a site. Each module is imported with every exchange.workflows module
forgotten first. (The project's timers, running meanwhile, may log that a
module they wanted was forgotten at that moment: that is this test's
doing, not a finding.)"""
from __future__ import print_function

import os
import sys

from wfkit import check, finish

from java.lang import System  # noqa: E402 - Jython only

ROOT = os.path.join(System.getProperty("gwsim.repo"), "scripts", "exchange", "workflows")
modules = []
# core and store cannot hold a cycle (they import only downward, and only
# core and store: tests/unit/test_layers.py); the layers above can.
for package in ("engine", "api", "console", "steps"):
    for name in sorted(os.listdir(os.path.join(ROOT, package))):
        if name.endswith(".py") and name != "__init__.py":
            modules.append("exchange.workflows.%s.%s" % (package, name[:-3]))
failed = []
for module in modules:
    for loaded in [k for k in list(sys.modules) if k.startswith("exchange.workflows.")]:
        del sys.modules[loaded]
    try:
        __import__(module)
    except BaseException as e:  # the point: nothing may fail to import first
        failed.append("%s: %r" % (module, e))
check(len(modules) > 60, "the package's modules were found", ROOT, len(modules))
check(not failed, "every module imports first", failed)
finish(modules=len(modules))
