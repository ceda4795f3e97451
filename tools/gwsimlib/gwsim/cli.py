"""Command line: `gwsim exec|run [options] [SCRIPT.py [ARGS...]]` (see README.md)."""
import os
import sys
import traceback
import types

from java.lang import System, Throwable
from java.util.concurrent import CountDownLatch

from gwsim import logs, notemulated
from gwsim.importer import read_source
from gwsim.project import Project

USAGE = """usage: tools/gwsim exec [options] SCRIPT.py [ARGS...]
       tools/gwsim run  [options] [SCRIPT.py [ARGS...]]
options:
  --db JDBC_URL              the WorkflowsDB connection (default jdbc:sqlite:<repo>/.gwsim/gwsim.db?<WAL...>)
  --datasource NAME=JDBC_URL another named connection (repeatable)
  --gateway-name NAME        gateway system name (default gwsim)
  --project DIR              an Ignition 8.3 project folder (default: source mode, scripts/ +
                             ignition-project/)
  --project-name NAME        project name (default: the --project folder's name, or
                             "workflows" in source mode)
  --path DIR                 add DIR to sys.path (repeatable)
  --log-level LEVEL|PREFIX=LEVEL  log level, global or per logger prefix (repeatable; env
                             GWSIM_LOG_LEVEL too)
"""
_VALUED = {"--db": "db", "--gateway-name": "gateway_name", "--project": "project",
           "--project-name": "project_name"}
_REPEATED = {"--datasource": "datasources", "--path": "paths", "--log-level": "log_levels"}


# The settings the default WorkflowsDB URL asks for (gwsim forces none on a URL given with --db,
# as a gateway takes its Connect URL as written): WAL, a 30 s busy timeout and IMMEDIATE
# transactions, what a site running concurrent gateway threads on one SQLite file would write.
# One copy, in tools/sqlite-url-settings, read by the tests and tools/bench too.
DEFAULT_SQLITE_SETTINGS = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                            "sqlite-url-settings")).read().strip()


class UsageError(Exception):
    pass


def parse(argv):
    """Return (mode, options dict, script or None, script args)."""
    if not argv or argv[0] in ("-h", "--help"):
        raise UsageError("")
    mode, rest = argv[0], list(argv[1:])
    if mode not in ("exec", "run"):
        raise UsageError("unknown command %r" % mode)
    options = {"db": None, "gateway_name": "gwsim", "project": None, "project_name": None,
               "datasources": [], "paths": [], "log_levels": []}
    while rest and rest[0].startswith("--"):
        flag, _, value = rest.pop(0).partition("=")
        if flag == "--help":
            raise UsageError("")
        if flag not in _VALUED and flag not in _REPEATED:
            raise UsageError("unknown option %s" % flag)
        if not value:
            if not rest:
                raise UsageError("%s needs a value" % flag)
            value = rest.pop(0)
        if flag in _VALUED:
            options[_VALUED[flag]] = value
        else:
            options[_REPEATED[flag]].append(value)
    script = rest.pop(0) if rest else None
    if mode == "exec" and script is None:
        raise UsageError("exec needs a SCRIPT")
    return mode, options, script, rest


def build_project(options, repo):
    if options["project"]:
        root = os.path.abspath(options["project"])
        if not os.path.isdir(root):
            raise UsageError("--project %s is not a folder" % root)
        name = options["project_name"] or os.path.basename(root.rstrip("/"))
        library = os.path.join(root, "ignition", "script-python")
        return Project(name, "ignition", library, root)
    events_root = os.path.join(repo, "ignition-project")
    name = options["project_name"] or "workflows"
    return Project(name, "source", os.path.join(repo, "scripts"), events_root)


def datasources(options, repo):
    db = options["db"]
    if not db:
        folder = os.path.join(repo, ".gwsim")
        if not os.path.isdir(folder):
            os.makedirs(folder)
        db = "jdbc:sqlite:%s?%s" % (os.path.join(folder, "gwsim.db"), DEFAULT_SQLITE_SETTINGS)
    sources = {"WorkflowsDB": db}
    for spec in options["datasources"]:
        name, sep, url = spec.partition("=")
        if not sep or not name or not url:
            raise UsageError("--datasource needs NAME=JDBC_URL, got %r" % spec)
        sources[name] = url
    return sources


def run_script(gateway, script, args):
    """Run script as __main__ like a Script Console session; returns its exit status."""
    path = os.path.abspath(script)
    module = types.ModuleType("__main__")
    namespace = module.__dict__
    namespace.update(gateway.script_globals("__main__"))
    namespace["__file__"] = path
    gateway.register_console(namespace)
    sys.modules["__main__"] = module
    sys.argv = [script] + list(args)
    sys.path.insert(0, os.path.dirname(path))
    try:
        code = compile(read_source(path), path, "exec", 0, True)
        exec(code, namespace)
        return 0
    except SystemExit as stop:
        return _exit_status(stop.code)
    except (BaseException, Throwable):
        error = sys.exc_info()[1]
        traceback.print_exc()
        cause = error.getCause() if isinstance(error, Throwable) else None
        while cause is not None:
            sys.stderr.write("Caused by: %s\n" % cause)
            cause = cause.getCause()
        return 1


def _exit_status(code):
    if code is None:
        return 0
    if isinstance(code, (int, long)):
        return int(code)
    sys.stderr.write("%s\n" % code)
    return 1


def _install_signals(gateway, stop_latch):
    from sun.misc import Signal, SignalHandler

    class Handler(SignalHandler):
        def handle(self, signal):
            if signal.getName() == "HUP":
                from gwsim import threads
                threads.start(gateway.reload, "gwsim-reload", "gwsim.gateway", "project reload")
            else:
                stop_latch.countDown()

    handler = Handler()
    for name in ("INT", "TERM", "HUP"):
        Signal.handle(Signal(name), handler)


def main(argv, repo):
    try:
        mode, options, script, args = parse(argv)
        logs.configure([os.environ.get("GWSIM_LOG_LEVEL", "")] + options["log_levels"])
        project = build_project(options, repo)
        sources = datasources(options, repo)
    except (UsageError, ValueError) as problem:
        if argv and argv[0] in ("-h", "--help"):
            sys.stdout.write(USAGE)
            return 0
        if str(problem):
            sys.stderr.write("gwsim: %s\n" % problem)
        sys.stderr.write(USAGE)
        return 2
    for extra in reversed(options["paths"]):
        sys.path.insert(0, os.path.abspath(extra))
    from gwsim.gateway import Gateway
    gateway = Gateway(options["gateway_name"], project, sources)
    if options["paths"]:
        from gwsim.importer import PathImporter
        sys.meta_path.append(PathImporter([os.path.abspath(p) for p in options["paths"]], gateway.system))
    logs.getLogger("gwsim.gateway").info(
        "gateway %s starting project %s (%s layout, library %s)"
        % (gateway.name, project.name, project.layout, project.library_root))
    status = 0
    stop_latch = CountDownLatch(1)
    if mode == "run":
        _install_signals(gateway, stop_latch)
    gateway.start()
    try:
        if script is not None:
            status = run_script(gateway, script, args)
        if mode == "run":
            getattr(stop_latch, "await")()  # `await` is a Python 3 keyword
            status = 0
    finally:
        gateway.stop()
        report = notemulated.summary()
        if report:
            sys.stderr.write(report)
    if report and status == 0:
        status = notemulated.EXIT_STATUS
    return status


def exit_jvm(status):
    """Flush and end the JVM at once, so no stray non-daemon thread can keep it alive."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    System.out.flush()
    System.err.flush()
    System.exit(status)
