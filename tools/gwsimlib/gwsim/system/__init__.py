"""The `system` module tree that every project script sees.

Each area (system.db, system.tag, ...) is a module object whose unknown attributes raise an
AttributeError naming the function and saying gwsim does not emulate it: a script that needs
something missing fails loudly instead of running against a dummy.
"""
import sys
import types


class SystemNamespace(types.ModuleType):
    """A module whose missing attributes fail with a message naming `system.x.y`."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError("%s.%s is not emulated by gwsim (see tools/gwsimlib/README.md)"
                             % (self.__name__, name))


AREAS = ("db", "tag", "net", "util", "date", "perspective")


def build(gateway):
    """Create `system` and its areas, bound to gateway, and register them in sys.modules.

    Registering them lets `import system` and `from system import db` work as in Ignition,
    where `system` is also injected as a global into every script.
    """
    from gwsim.system import date, db, net, perspective, tag, util
    sources = {"db": db, "tag": tag, "net": net, "util": util, "date": date,
               "perspective": perspective}
    root = SystemNamespace("system")
    for area in AREAS:
        namespace = SystemNamespace("system." + area)
        for name, value in sources[area].exports(gateway).items():
            setattr(namespace, name, value)
        setattr(root, area, namespace)
        sys.modules["system." + area] = namespace
    sys.modules["system"] = root
    return root
