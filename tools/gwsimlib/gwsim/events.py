"""Gateway event scripts: compiling them the Ignition way, timers, and message handlers.

Ignition stores an event script with its `def` header on line 1, drops that line, and compiles
the rest under its own header. So extra parameters on line 1 do nothing, and a one-line
`def f(): body` loses its body. compile_event() does exactly that.
"""
from java.lang import Exception as JavaException
from java.util.concurrent import Callable, ExecutionException, Executors, TimeoutException, TimeUnit

from gwsim import logs, threads
from gwsim.importer import read_source


def _has_code(lines):
    return any(line.strip() and not line.strip().startswith("#") for line in lines)


def compile_event(path, function_name, params, namespace):
    """Compile the event script at path into a function defined in namespace (a dict)."""
    lines = read_source(path).splitlines()
    if lines and lines[0].lstrip().startswith("def "):
        lines = lines[1:]
    if not _has_code(lines):
        lines = ["\tpass"]
    source = u"def %s(%s):\n%s\n" % (function_name, ", ".join(params), u"\n".join(lines))
    exec(compile(source, path, "exec", 0, True), namespace)
    return namespace[function_name]


class Timers(object):
    """Runs the project's timer scripts on shared or dedicated scheduler threads."""

    def __init__(self, project_name):
        self.project_name = project_name
        self._executors = []

    def start(self, timers):
        """timers: list of (TimerDef, function); disabled timers are skipped."""
        shared = None
        for timer, function in timers:
            if not timer.enabled:
                continue
            if timer.shared_thread:
                if shared is None:
                    shared = Executors.newSingleThreadScheduledExecutor(
                        threads.factory("gateway-timer-shared-%s" % self.project_name))
                    self._executors.append(shared)
                executor = shared
            else:
                executor = Executors.newSingleThreadScheduledExecutor(
                    threads.factory("gateway-timer-%s-%s" % (self.project_name, timer.name)))
                self._executors.append(executor)
            task = threads.Task(function, "gateway.timer." + timer.name, "timer script " + timer.name)
            schedule = executor.scheduleWithFixedDelay if timer.fixed_delay else executor.scheduleAtFixedRate
            schedule(task, timer.delay_ms, timer.delay_ms, TimeUnit.MILLISECONDS)

    def stop(self, wait_ms):
        """Stop scheduling; a running execution finishes (waited for up to wait_ms)."""
        executors, self._executors = self._executors, []
        for executor in executors:
            executor.shutdown()
        for executor in executors:
            if not executor.awaitTermination(wait_ms, TimeUnit.MILLISECONDS):
                logs.getLogger("gwsim.gateway").warn(
                    "a timer script is still running after %d ms; continuing without it" % wait_ms)


class Messages(object):
    """Gateway message handlers for system.util.sendMessage / sendRequest."""

    def __init__(self, gateway):
        self._gateway = gateway
        self._handlers = {}
        self._pool = Executors.newCachedThreadPool(threads.factory("gateway-message-handler"))

    def install(self, handlers):
        self._handlers = dict(handlers)

    def _handler(self, project, name):
        if project != self._gateway.project.name:
            return None
        return self._handlers.get(name)

    def send(self, project, name, payload):
        handler = self._handler(project, name)
        if handler is None:
            logs.getLogger("gwsim.messages").warn(
                "sendMessage: no gateway message handler %r in project %r" % (name, project))
            return []
        self._pool.submit(threads.Task(handler, "gateway.message." + name, "message handler " + name,
                                       (payload or {},)))
        return ["type=Gateway, project=%s, messageHandler=%s, sendStatus=SENT" % (project, name)]

    def request(self, project, name, payload, timeout_sec):
        handler = self._handler(project, name)
        if handler is None:
            raise JavaException('No message handler "%s" in project "%s"' % (name, project))
        future = self._pool.submit(_Call(lambda: handler(payload or {})))
        try:
            return future.get(long(timeout_sec * 1000), TimeUnit.MILLISECONDS)
        except TimeoutException:
            future.cancel(True)
            raise JavaException('sendRequest to "%s" timed out after %s s' % (name, timeout_sec))
        except ExecutionException as error:
            raise JavaException('message handler "%s" failed: %s' % (name, error.getCause()), error.getCause())



class _Call(Callable):
    """Returns function()'s value; an error reaches the Future (as ExecutionException)."""

    def __init__(self, function):
        self.function = function

    def call(self):
        return self.function()
