"""Where a project's code lives on disk: library modules and gateway event scripts.

Two library layouts are served:
- "ignition": an Ignition 8.x project, ignition/script-python/<pkg>/<sub>/code.py. A folder
  with a code.py is a module; a folder without one is a package. As in Ignition, a folder
  that has its own code.py hides its child folders.
- "source": a plain Python 2 tree (the repo's scripts/): dir/__init__.py is a package,
  name.py a module.
Gateway events always use the Ignition 8.3 file layout under <events_root>/ignition/.
"""
import json
import os

from gwsim import logs

_log = logs.getLogger("gwsim.project")


class TimerDef(object):
    def __init__(self, name, script, delay_ms, fixed_delay, shared_thread, enabled):
        self.name = name
        self.script = script
        self.delay_ms = delay_ms
        self.fixed_delay = fixed_delay
        self.shared_thread = shared_thread
        self.enabled = enabled


class Project(object):
    def __init__(self, name, layout, library_root, events_root):
        self.name = name
        self.layout = layout
        self.library_root = library_root
        self.events_root = events_root

    # -- library ------------------------------------------------------------------------------
    def top_level_names(self):
        """Names importable at the top level (read from disk each time: a save may add some)."""
        root = self.library_root
        if not root or not os.path.isdir(root):
            return set()
        names = set()
        for entry in os.listdir(root):
            path = os.path.join(root, entry)
            if self.layout == "ignition":
                if os.path.isdir(path):
                    names.add(entry)
            elif os.path.isfile(os.path.join(path, "__init__.py")):
                names.add(entry)
            elif entry.endswith(".py") and os.path.isfile(path):
                names.add(entry[:-3])
        return names

    def resolve(self, fullname):
        """('package'|'module', code file or None, folder or None) for fullname, else None."""
        parts = fullname.split(".")
        base = os.path.join(self.library_root, *parts)
        if self.layout == "ignition":
            for depth in range(1, len(parts)):
                ancestor = os.path.join(self.library_root, *parts[:depth])
                if os.path.isfile(os.path.join(ancestor, "code.py")):
                    return None  # an ancestor with its own code.py hides its children
            if os.path.isfile(os.path.join(base, "code.py")):
                return ("module", os.path.join(base, "code.py"), None)
            if os.path.isdir(base):
                return ("package", None, base)
            return None
        if os.path.isfile(os.path.join(base, "__init__.py")):
            return ("package", os.path.join(base, "__init__.py"), base)
        if os.path.isfile(base + ".py"):
            return ("module", base + ".py", None)
        return None

    # -- gateway events -----------------------------------------------------------------------
    def _event_path(self, *parts):
        if not self.events_root:
            return None
        path = os.path.join(self.events_root, "ignition", *parts)
        return path if os.path.isfile(path) else None

    def _enabled_event(self, kind, filename):
        """The event script's path, or None when absent or its resource.json says enabled: false."""
        path = self._event_path(kind, filename)
        if path is None:
            return None
        if not _attributes(os.path.join(os.path.dirname(path), "resource.json")).get("enabled", True):
            _log.info("%s script is disabled (resource.json enabled: false)" % kind)
            return None
        return path

    def startup_script(self):
        return self._enabled_event("startup", "onStartup.py")

    def shutdown_script(self):
        return self._enabled_event("shutdown", "onShutdown.py")

    def update_script(self):
        """8.3's project update event, `def onUpdate(actor, resources):`."""
        return self._enabled_event("update", "onUpdate.py")

    def _event_folders(self, kind, filename):
        if not self.events_root:
            return []
        folder = os.path.join(self.events_root, "ignition", kind)
        if not os.path.isdir(folder):
            return []
        found = []
        for name in sorted(os.listdir(folder)):
            script = os.path.join(folder, name, filename)
            if os.path.isfile(script):
                found.append((name, script, _attributes(os.path.join(folder, name, "resource.json"))))
        return found

    def timers(self):
        timers = []
        for name, script, attrs in self._event_folders("timer", "handleTimerEvent.py"):
            if "delay" not in attrs:
                _log.warn("timer %s: resource.json has no delay; using 10000 ms" % name)
            timers.append(TimerDef(name, script, long(attrs.get("delay", 10000)),
                                   bool(attrs.get("fixedDelay", True)),
                                   bool(attrs.get("sharedThread", True)),
                                   bool(attrs.get("enabled", True))))
        return timers

    def message_handlers(self):
        """(name, script) of the enabled handlers; `enabled: false` in resource.json drops one."""
        handlers = []
        for name, script, attrs in self._event_folders("message", "handleMessage.py"):
            if attrs.get("enabled", True):
                handlers.append((name, script))
            else:
                _log.info("message handler %s is disabled (resource.json enabled: false)" % name)
        return handlers

    def unsupported_events(self):
        """Event kinds present on disk that gwsim does not run (reported loudly at start)."""
        found = []
        if self.events_root:
            ignition = os.path.join(self.events_root, "ignition")
            for kind in ("tag-change", "scheduled", "event-scripts"):
                if os.path.exists(os.path.join(ignition, kind)):
                    found.append(kind)
        return found


def _attributes(resource_json):
    """An event's settings from resource.json: under "attributes" (8.3), else top level."""
    if not os.path.isfile(resource_json):
        return {}
    with open(resource_json) as handle:
        data = json.load(handle)
    attrs = dict(data)
    attrs.update(data.get("attributes") or {})
    return attrs

