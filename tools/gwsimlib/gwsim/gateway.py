"""The simulated gateway: one project, named database connections, tags and the event lifecycle.

Lifecycle as on a real gateway:
  start:  load the library lazily, run the startup script, start the timers.
  reload: (a project save) run the shutdown script, stop the timers (a running execution
          finishes), drop every project module, run the new startup script, restart timers.
          The JVM, getGlobals(), running threads, tags and databases survive.
  stop:   run the shutdown script and stop the timers.
"""
import sys
import threading
import types

from java.lang import Throwable

from gwsim import dbpool, events, logs, perspective, runtime, tags
from gwsim import system as system_package
from gwsim.importer import ProjectImporter
from gwsim.system import tag as tag_api

UPDATE_ACTOR = "gwsim"  # the `actor` an update script sees after gwsim.reloadProject()
TIMER_STOP_WAIT_MS = 10000  # how long a save or shutdown waits for a running timer script
_log = logs.getLogger("gwsim.gateway")


class Gateway(object):
    def __init__(self, name, project, datasources, default_database="WorkflowsDB"):
        self.name = name
        self.project = project
        self.default_database = default_database
        self.datasources = dict((key, dbpool.NamedConnection(key, url)) for key, url in datasources.items())
        self.globals = {}
        self.tags = tags.TagStore()
        tag_api.install_system_provider(self.tags, name)
        self.messages = events.Messages(self)
        self.perspective = perspective.Registry(self)
        self.system = system_package.build(self)
        self.importer = ProjectImporter(project, self.system)
        sys.meta_path.insert(0, self.importer)
        self._timers = events.Timers(project.name)
        self._lock = threading.RLock()
        self._shutdown = None
        self._update = None
        self._consoles = []
        self.reload_count = 0
        runtime.set_gateway(self)

    # -- namespaces ---------------------------------------------------------------------------
    def script_globals(self, name):
        """Globals for an event script or console: `system` plus the top-level packages."""
        namespace = {"__name__": name, "system": self.system}
        for top in self.importer.top_level_names():
            try:
                namespace[top] = __import__(top)
            except (BaseException, Throwable):
                logs.log_python_error(_log, "cannot import project package %s" % top)
        return namespace

    def register_console(self, namespace):
        """Keep a __main__ namespace's package names pointing at the current code after reloads."""
        self._consoles.append(namespace)

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self):
        with self._lock:
            for kind in self.project.unsupported_events():
                _log.warn("project has %s event scripts; gwsim does not run them" % kind)
            self._load_and_start()

    def _load_and_start(self):
        project = self.project
        startup = self._compile(project.startup_script(), "onStartup", ())
        self._shutdown = self._compile(project.shutdown_script(), "onShutdown", ())
        self._update = self._compile(project.update_script(), "onUpdate", ("actor", "resources"))
        timers = [(timer, self._compile(timer.script, "handleTimerEvent", ())) for timer in project.timers()]
        handlers = [(name, self._compile(script, "handleMessage", ("payload",)))
                    for name, script in project.message_handlers()]
        self.messages.install([(name, fn) for name, fn in handlers if fn is not None])
        self._run_event(startup, "startup script")
        self._timers.start([(timer, fn) for timer, fn in timers if fn is not None])

    def _compile(self, path, function_name, params):
        if path is None:
            return None
        try:
            return events.compile_event(path, function_name, params, self.script_globals(path))
        except (BaseException, Throwable):
            logs.log_python_error(_log, "cannot compile event script %s" % path)
            return None

    def _run_event(self, function, what):
        if function is None:
            return
        try:
            function()
        except (BaseException, Throwable):
            logs.log_python_error(logs.getLogger("gateway.events"), "Error running %s" % what)

    def _stop_events(self):
        self._run_event(self._shutdown, "shutdown script")
        self._shutdown = None
        self._timers.stop(TIMER_STOP_WAIT_MS)

    def reload(self):
        """A project save: restart the project's scripts with fresh module objects."""
        with self._lock:
            _log.info("project %s saved: restarting scripts" % self.project.name)
            self._stop_events()
            old_modules = dict((name, module) for name, module in sys.modules.items()
                               if module is not None and self.importer.owns(name))
            self.importer.purge()
            self.reload_count += 1
            self._load_and_start()
            self._refresh_consoles(old_modules)
            update = self._update
            if update is not None:
                # gwsim does not track which resources a save changed: actor "gwsim", no resources.
                self._run_event(lambda: update(UPDATE_ACTOR, []), "update script")

    def _refresh_consoles(self, old_modules):
        for namespace in self._consoles:
            for key, value in list(namespace.items()):
                if isinstance(value, types.ModuleType) and old_modules.get(value.__name__) is value:
                    try:
                        __import__(value.__name__)
                        namespace[key] = sys.modules[value.__name__]
                    except (BaseException, Throwable):
                        logs.log_python_error(_log, "cannot re-import %s after reload" % value.__name__)

    def stop(self):
        with self._lock:
            self._stop_events()
            for source in self.datasources.values():
                source.close_idle()
