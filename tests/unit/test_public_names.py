"""Public modules declare their surface in ``__all__``: every name listed
exists in the module, and every public name the module defines (a function,
class or constant without a leading underscore) is listed. Read from the
source (ast), so the check needs no Jython."""
import ast
import os

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "exchange", "workflows")
# The public surface: what sites and views import (every module of api,
# console and steps, and bootstrap), and ignition-workflows 0.3.6's names.
# engine, store and core are the product's inside: no site imports them.
MODULES = ["bootstrap.py",
           # ignition-workflows 0.3.6's names (issue 13)
           "settings.py", "util/response.py", "is88/models.py", "core/commands.py",
           "engine/runtime.py", "apps/_init.py"] + sorted(
    "%s/%s" % (package, name) for package in ("api", "console", "steps")
    for name in os.listdir(os.path.join(ROOT, package))
    if name.endswith(".py") and name != "__init__.py")


def _module(path):
    """Returns (__all__ or None, names defined at the top level, names imported there)."""
    tree = ast.parse(open(os.path.join(ROOT, path)).read())
    listed, defined, imported = None, set(), set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == "__all__":
                    listed = [ast.literal_eval(e) for e in node.value.elts]
                elif isinstance(target, ast.Name):
                    defined.add(target.id)
                elif isinstance(target, ast.Tuple):
                    defined.update(e.id for e in target.elts if isinstance(e, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            imported.update((a.asname or a.name).split(".")[0] for a in node.names)
    return listed, defined, imported


def test_the_checked_modules_include_the_console_and_the_steps():
    assert "console/runs.py" in MODULES and "steps/tags.py" in MODULES and len(MODULES) >= 17
    assert "api/admin.py" in MODULES and "api/security.py" in MODULES


@pytest.mark.parametrize("path", MODULES)
def test_all_lists_exactly_the_public_names(path):
    listed, defined, imported = _module(path)
    assert listed is not None, "%s declares no __all__" % path
    assert len(listed) == len(set(listed)), "%s lists a name twice" % path
    missing = sorted(n for n in listed if n not in defined | imported)
    assert not missing, "%s lists names it does not have: %s" % (path, missing)
    unlisted = sorted(n for n in defined if not n.startswith("_") and n not in listed)
    assert not unlisted, "%s defines public names missing from __all__: %s" % (path, unlisted)
