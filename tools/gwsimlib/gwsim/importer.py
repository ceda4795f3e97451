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
import re
import sys
import types


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
        module = ProjectPackage(fullname) if kind == "package" else types.ModuleType(fullname)
        module.__loader__ = self
        module.__file__ = code_file or folder
        if kind == "package":
            module.__path__ = [folder]
            module.__package__ = fullname
        else:
            module.__package__ = fullname.rpartition(".")[0] or None
        module.system = self.system
        sys.modules[fullname] = module
        try:
            if code_file:
                code = compile(read_source(code_file), code_file, "exec", 0, True)
                exec code in module.__dict__
        except:
            sys.modules.pop(fullname, None)
            raise
        return module

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
