"""The `system` module tree that every project script sees.

Every gateway-scope area a real gateway has (system/catalog.py) is a module object registered in
sys.modules, so `import system.dataset` works even where gwsim emulates nothing. In an area:
  - an emulated name is the emulation;
  - a name a gateway has but gwsim does not emulate is a NotEmulatedFunction (hasattr answers
    True, as on a gateway; a call raises NotEmulatedError and is counted, see notemulated.py);
    a missing constant of the catalog raises NotEmulatedError on access;
  - any other name raises AttributeError, saying gwsim does not emulate it.
"""
import sys
import types

from gwsim import notemulated
from gwsim.system import catalog


class SystemNamespace(types.ModuleType):
    """A module whose missing attributes fail with a message naming `system.x.y`."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        area = self.__name__.partition(".")[2]
        qualified = "%s.%s" % (self.__name__, name)
        if name in catalog.FUNCTIONS.get(area, ()):
            stub = notemulated.NotEmulatedFunction(qualified)
            setattr(self, name, stub)
            return stub
        if name in catalog.CONSTANTS.get(area, ()):
            raise notemulated.record(qualified)
        raise AttributeError("%s is not emulated by gwsim (see tools/gwsimlib/README.md)" % qualified)


EMULATED = ("db", "tag", "net", "util", "date", "perspective", "project", "dataset")
AREAS = tuple(sorted(set(EMULATED) | set(catalog.FUNCTIONS)))


def build(gateway):
    """Create `system` and its areas, bound to gateway, and register them in sys.modules.

    Registering them lets `import system`, `import system.dataset` and `from system import db`
    work as in Ignition, where `system` is also injected as a global into every script.
    """
    from gwsim.system import datasets, date, db, net, perspective, project, tag, util
    sources = {"db": db, "tag": tag, "net": net, "util": util, "date": date,
               "perspective": perspective, "project": project, "dataset": datasets}
    root = SystemNamespace("system")
    for area in AREAS:
        namespace = SystemNamespace("system." + area)
        if area in sources:
            for name, value in sources[area].exports(gateway).items():
                setattr(namespace, name, value)
        setattr(root, area, namespace)
        sys.modules["system." + area] = namespace
    sys.modules["system"] = root
    return root
