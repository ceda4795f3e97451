"""The site's workflow modules and their loader (apps/_init.py).

On a gateway, ``exchange.workflows.apps`` is a script folder and its loader
is the child script ``exchange.workflows.apps.__init__`` (0.3.6's layout:
tools/build turns _init.py into it, and drops this file, because a folder
with its own code hides its children). Here, where scripts/ is a plain
Python package, the two imports below give the loader the same names, so
``from exchange.workflows.apps import __init__`` works in both, and
``exchange.workflows.apps.load()`` works here too.
"""
from exchange.workflows.apps import _init as __init__  # noqa: F401
from exchange.workflows.apps._init import MODULES, TEST_MODULES, load, loadReport  # noqa: F401
