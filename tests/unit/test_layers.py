"""Layers import only downward: steps -> api -> engine -> store -> core, and
console -> api (console never imports engine or store); and no two files
import each other, directly or around a loop, within a layer either.

Read from the source (ast), not by importing, so the check needs no Jython.
KNOWN lists the arrows that still point the wrong way (issue 17), and
KNOWN_CYCLES and DEFERRED the file cycles that remain: a new one fails this
test, and so does an entry that has been fixed, so the lists only shrink."""
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
# Import-time cycles between files. A module's top-level imports run while
# the modules that import it are half-initialised: in a cycle, which names
# exist depends on which file the gateway happened to load first.
KNOWN_CYCLES = []
# Imports written inside a function that close a cycle, (importer,
# imported): a top-level import there would make an import-time cycle. Listed
# so that a new one is a decision, not a workaround.
DEFERRED = {
    # A parent starts its children through submit, which imports dispatcher.
    ("engine.children", "engine.submit"),
    # Waking a run that gave its thread back: dispatcher imports the executor,
    # whose context imports these.
    ("engine.commands", "engine.dispatcher"),
    ("engine.operations", "engine.dispatcher"),
    ("engine.prompts", "engine.dispatcher"),
    # @step and @workflow are read before the runtime exists.
    ("engine.registry", "engine.context"),
    ("engine.registry", "engine.stepper"),
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


# -- file cycles --------------------------------------------------------------

PACKAGE = os.path.normpath(ROOT)


def _all_modules():
    """{dotted name below exchange.workflows: path} of every file of the package."""
    out = {}
    for folder, _, names in os.walk(PACKAGE):
        for name in names:
            if name.endswith(".py"):
                rel = os.path.relpath(os.path.join(folder, name), PACKAGE)[:-3]
                parts = rel.split(os.sep)
                if parts[-1] == "__init__":
                    parts = parts[:-1]
                out[".".join(parts)] = os.path.join(folder, name)
    return out


def _top_level(tree):
    """The statements that run at import: the module's, and those inside its
    top-level if/try blocks (not inside functions or classes)."""
    out = []

    def visit(body):
        for node in body:
            out.append(node)
            if isinstance(node, (ast.If, ast.Try)):
                visit(node.body)
                visit(node.orelse)
                visit(getattr(node, "finalbody", []))
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)
    visit(tree.body)
    return out


def _file_edges(path, modules, at_import):
    """The package files ``path`` imports: at import time only, or anywhere."""
    prefix = "exchange.workflows"
    tree = ast.parse(open(path).read())
    nodes = _top_level(tree) if at_import else list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and \
                (node.module == prefix or node.module.startswith(prefix + ".")):
            base = node.module[len(prefix) + 1:]
            for alias in node.names:
                full = (base + "." + alias.name).strip(".")
                if full in modules:
                    yield full
                elif base in modules:
                    yield base
        elif isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.name[len(prefix) + 1:]
                if alias.name.startswith(prefix + ".") and name in modules:
                    yield name


def _graph(at_import):
    modules = _all_modules()
    return dict((m, set(e for e in _file_edges(p, modules, at_import) if e != m))
                for m, p in modules.items())


def _cycles(graph):
    """The strongly connected components of more than one file (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def connect(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)
    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def test_no_import_time_cycle_between_files_beyond_the_known_ones():
    found = _cycles(_graph(at_import=True))
    new = [sorted(c) for c in found if c not in KNOWN_CYCLES]
    fixed = [sorted(c) for c in KNOWN_CYCLES if c not in found]
    assert not new, "files import each other at import time: %s" % new
    assert not fixed, "fixed cycles still listed in KNOWN_CYCLES (remove them): %s" % fixed


def test_every_import_inside_a_function_that_closes_a_cycle_is_listed():
    """An import written inside a function hides a cycle from the check above:
    each one that closes a cycle is listed in DEFERRED, with why."""
    at_import, anywhere = _graph(at_import=True), _graph(at_import=False)
    looped = _cycles(anywhere)
    deferred = set((m, e) for m in anywhere for e in anywhere[m] - at_import[m]
                   if any(m in c and e in c for c in looped))
    assert not sorted(deferred - DEFERRED), "imports inside functions: %s" % sorted(
        deferred - DEFERRED)
    assert not sorted(DEFERRED - deferred), "no longer deferred (remove from DEFERRED): %s" % (
        sorted(DEFERRED - deferred))


def test_the_cycle_check_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


# -- the architecture map ------------------------------------------------------

MAP = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "architecture.md")


def test_the_architecture_map_names_every_module():
    """docs/architecture.md's table gives every module of the layers its row:
    a module added without a line there fails here."""
    rows = [line for line in open(MAP).read().splitlines() if line.startswith("| ")]
    missing = []
    for module, layer, _ in _modules():
        name = module.split(".", 1)[1]
        if not any(("`%s`" % name in row and row.startswith("| %s " % layer))
                   or "`%s/%s`" % (layer, name) in row for row in rows):
            missing.append(module)
    assert not missing, "modules missing from docs/architecture.md: %s" % missing
