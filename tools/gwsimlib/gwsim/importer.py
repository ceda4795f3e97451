"""PEP 302 importer for the project library, plus Ignition's lazy package attributes.

Like Ignition: each project module gets `system` as a global without importing it, and
attribute access on a project package loads the child module on demand, so
`exchange.workflows.api.service.dispatch()` works in an event script with no import.
Sources are read and compiled at load time (nothing is cached on disk), so after purge() the
next import compiles the current file into a new module object, while code already running
keeps its old module objects - the semantics of saving a project in the Designer.
"""
import codecs
import imp
import os
import re
import sys
import types



def _register(module, loader, kind, code_file, folder):
    """Fills in a new module's import attributes and its ``system`` global
    (as a gateway gives every project script), and puts it in sys.modules
    before its code runs, as Python's own import does."""
    fullname = module.__name__
    module.__loader__ = loader
    module.__file__ = code_file or folder
    if kind == "package":
        module.__path__ = [folder]
        module.__package__ = fullname
    else:
        module.__package__ = fullname.rpartition(".")[0] or None
    module.system = loader.system
    sys.modules[fullname] = module
    return module

class LazyTopLevel(types.ModuleType):
    """Stands for a top-level project *module* in another module's globals until first use.

    Library modules see the project's top-level script packages as globals, as on a gateway.
    Packages are injected as themselves (loading one runs no code); a top-level module is
    injected as this proxy, so that no module's code runs before something uses it.
    """

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        real = self.__dict__["_real_name"]
        __import__(real)
        return getattr(sys.modules[real], name)


class ProjectPackage(types.ModuleType):
    """A project package: unknown attributes that name a child module import it."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        loader = self.__dict__.get("__loader__")
        fullname = "%s.%s" % (self.__name__, name)
        if loader is None or loader.project.resolve(fullname) is None:
            raise AttributeError("'module' object has no attribute '%s'" % name)
        __import__(fullname)
        return sys.modules[fullname]


_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=]")


def read_source(path):
    """File text as unicode (Ignition stores UTF-8 and compiles Java strings).

    A PEP 263 coding line is blanked (keeping line numbers): compiling unicode text that
    still declares an encoding is a SyntaxError.
    """
    with codecs.open(path, "r", "utf-8") as handle:
        text = handle.read()
    if text.startswith(u"\ufeff"):
        text = text[1:]
    lines = text.split(u"\n", 2)
    for index in range(min(2, len(lines))):
        if _CODING.match(lines[index]):
            lines[index] = u"#"
    return u"\n".join(lines)


class ProjectImporter(object):
    def __init__(self, project, system_module):
        self.project = project
        self.system = system_module
        self._top_level = project.top_level_names()

    def owns(self, fullname):
        return fullname.split(".", 1)[0] in self._top_level

    def top_level_names(self):
        return sorted(self._top_level)

    def find_module(self, fullname, path=None):
        if self.owns(fullname) and self.project.resolve(fullname) is not None:
            return self
        return None

    def load_module(self, fullname):
        existing = sys.modules.get(fullname)
        if existing is not None:
            return existing
        kind, code_file, folder = self.project.resolve(fullname)
        module = _register(ProjectPackage(fullname) if kind == "package"
                           else types.ModuleType(fullname), self, kind, code_file, folder)
        try:
            if kind == "package":
                self._load_init_child(module, fullname)
            if code_file:
                self._inject_top_level(module, fullname)
                code = compile(read_source(code_file), code_file, "exec", 0, True)
                exec(code, module.__dict__)
        except:
            sys.modules.pop(fullname, None)
            raise
        return module

    def _inject_top_level(self, module, fullname):
        """The project's top-level script packages as globals of a library module."""
        own_top = fullname.split(".", 1)[0]
        for top in self._top_level:
            if top == own_top:
                if "." in fullname:
                    module.__dict__[top] = sys.modules.get(top) or _lazy(top)
                continue
            existing = sys.modules.get(top)
            if existing is not None:
                module.__dict__[top] = existing
            else:
                resolved = self.project.resolve(top)
                if resolved is not None and resolved[0] == "package" and resolved[1] is None:
                    __import__(top)  # an Ignition package folder: no code runs
                    module.__dict__[top] = sys.modules[top]
                else:
                    module.__dict__[top] = _lazy(top)

    def _load_init_child(self, package, fullname):
        """A project package may have a child script named `__init__`.

        `from pkg import __init__` would otherwise find ModuleType's own __init__ method, so
        the child is loaded with the package and set in its __dict__ (which wins over it).
        """
        child = fullname + ".__init__"
        resolved = self.project.resolve(child)
        if resolved is None or resolved[0] != "module" or self.project.layout != "ignition":
            return
        __import__(child)
        package.__dict__["__init__"] = sys.modules[child]

    def purge(self):
        """Forget every project module (a project save); returns how many were dropped.

        Also re-reads the top-level names, since a save can add or remove packages.
        """
        imp.acquire_lock()
        try:
            doomed = [name for name in list(sys.modules) if self.owns(name)]
            for name in doomed:
                del sys.modules[name]
            self._top_level = self.project.top_level_names()
            return len(doomed)
        finally:
            imp.release_lock()


def _lazy(top):
    proxy = LazyTopLevel(top)
    proxy.__dict__["_real_name"] = top
    return proxy


class PathImporter(object):
    """Modules from `--path` folders (plain `name.py` / `name/__init__.py`), loaded like project
    scripts: `system` is a global and the source is UTF-8 (a PEP 263 line is honoured by being
    blanked, as for project code), not Jython's ASCII default."""

    def __init__(self, roots, system_module):
        self.roots = [root for root in roots]
        self.system = system_module

    def _locate(self, fullname, path):
        if path is None:
            folders = self.roots
        else:
            parent = sys.modules.get(fullname.rpartition(".")[0])
            if parent is None or parent.__dict__.get("__loader__") is not self:
                return None
            folders = path
        name = fullname.rpartition(".")[2]
        for folder in folders:
            base = os.path.join(folder, name)
            if os.path.isfile(os.path.join(base, "__init__.py")):
                return ("package", os.path.join(base, "__init__.py"), base)
            if os.path.isfile(base + ".py"):
                return ("module", base + ".py", None)
        return None

    def find_module(self, fullname, path=None):
        found = self._locate(fullname, path)
        if found is None:
            return None
        self._found = getattr(self, "_found", {})
        self._found[fullname] = found
        return self

    def load_module(self, fullname):
        existing = sys.modules.get(fullname)
        if existing is not None:
            return existing
        kind, code_file, folder = self._found.pop(fullname)
        module = _register(types.ModuleType(fullname), self, kind, code_file, folder)
        try:
            exec(compile(read_source(code_file), code_file, "exec", 0, True), module.__dict__)
        except:  # any failure, Java ones included, undoes the half-made module
            sys.modules.pop(fullname, None)
            raise
        return module
