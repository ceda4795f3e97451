"""Layers import only downward: steps -> api -> engine -> store -> core.

Read from the source (ast), not by importing, so the check needs no Jython.
KNOWN lists the arrows that still point the wrong way (issue 17): a new one
fails this test, and so does an entry that has been fixed, so the list only
shrinks."""
import ast
import os

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "exchange", "workflows")
# What each layer may import from the package. Top-level modules (bootstrap,
# apps, demo) are facades and user code: nothing below them imports them.
ALLOWED = {
    "core": {"core"},
    "store": {"core", "store"},
    "engine": {"core", "store", "engine"},
    "api": {"core", "engine", "api", "apps"},
    "steps": {"core", "engine", "api", "steps", "bootstrap"},
}
KNOWN = {
    ("api.access", "store"),
    ("api.admin", "store"),
    ("api.security", "store"),
    ("engine.scope", "api"),
}


def _imports(path):
    tree = ast.parse(open(path).read())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "exchange.workflows":
                for alias in node.names:
                    yield alias.name
            elif node.module.startswith("exchange.workflows."):
                yield node.module.split(".")[2]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("exchange.workflows."):
                    yield alias.name.split(".")[2]


def wrong_arrows():
    found = set()
    for layer in ALLOWED:
        folder = os.path.join(ROOT, layer)
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".py") or name == "__init__.py":
                continue
            module = "%s.%s" % (layer, name[:-3])
            for target in _imports(os.path.join(folder, name)):
                if target not in ALLOWED[layer]:
                    found.add((module, target))
    return found


def test_no_layer_imports_a_higher_one_beyond_the_known_arrows():
    found = wrong_arrows()
    new = sorted(found - KNOWN)
    fixed = sorted(KNOWN - found)
    assert not new, "a lower layer imports a higher one: %s" % new
    assert not fixed, "fixed arrows still listed in KNOWN (remove them): %s" % fixed


def test_core_and_store_import_nothing_above_them():
    found = wrong_arrows()
    assert not [m for m, _ in found if m.startswith(("core.", "store."))], found
