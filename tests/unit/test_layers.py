"""Layers import only downward: steps -> api -> engine -> store -> core, and
console -> api (console never imports engine or store).

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
    # The Perspective console's presentation logic sits beside steps, above
    # api: it shapes api answers for views and never reaches below api.
    "console": {"core", "api", "console"},
    # ignition-workflows 0.3.6's packages, kept at its paths (issue 13):
    # pure helpers over core, and the loader of the site's workflow modules.
    "util": {"core", "util"},
    "is88": {"core", "is88"},
    "apps": {"core", "apps"},
}
# Modules at 0.3.6's fixed import paths (docs/migrating-from-0.3.md) and what
# each may import beyond its layer. They sit in a low folder only because
# 0.3.6 put them there; no other module of the layers imports them (test
# below), so their upward arrows cannot close a cycle.
COMPAT = {
    # getWorkflows(): 0.3.6's handle also enqueues, dispatches and enters
    # maintenance, which go through api (validation, policy, audit: one copy).
    "engine.instance": {"api"},
    # Re-exports 0.3.6's decorators and names, and engine.instance's handle.
    "engine.runtime": set(),
}
KNOWN = set()


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


def _modules():
    """(module, layer, path) of every module of the layer folders."""
    for layer in sorted(ALLOWED):
        folder = os.path.join(ROOT, layer)
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py") and name != "__init__.py":
                yield "%s.%s" % (layer, name[:-3]), layer, os.path.join(folder, name)


def _imported_modules(path):
    """Dotted names below exchange.workflows that ``path`` imports, with
    ``from exchange.workflows.engine import instance`` as engine.instance."""
    prefix = "exchange.workflows."
    for node in ast.walk(ast.parse(open(path).read())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(prefix):
            base = node.module[len(prefix):]
            yield base
            for alias in node.names:
                yield "%s.%s" % (base, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(prefix):
                    yield alias.name[len(prefix):]


def wrong_arrows():
    found = set()
    for module, layer, path in _modules():
        allowed = ALLOWED[layer] | COMPAT.get(module, set())
        for target in _imports(path):
            if target not in allowed:
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


def test_compat_facades_are_imported_by_no_module_of_the_layers():
    """Only user code, top-level facades and other COMPAT modules import them."""
    found = sorted((module, target) for module, _, path in _modules() if module not in COMPAT
                   for target in _imported_modules(path) if target in COMPAT)
    assert not found, found


def test_every_compat_entry_says_why_it_is_one():
    """A comment line above each COMPAT entry keeps the list from growing silently."""
    lines = open(__file__).read().splitlines()
    start = lines.index("COMPAT = {")
    for module in COMPAT:
        at = [i for i in range(start, len(lines)) if lines[i].strip().startswith('"%s":' % module)]
        assert at and lines[at[0] - 1].strip().startswith("#"), module
        assert module.split(".")[0] in ALLOWED, module


def test_every_layer_folder_is_scanned():
    """A new package under exchange/workflows must be given its place in ALLOWED."""
    packages = set(name for name in os.listdir(ROOT)
                   if os.path.isfile(os.path.join(ROOT, name, "__init__.py")))
    assert packages == set(ALLOWED), sorted(packages ^ set(ALLOWED))
