"""Java thread helpers: named daemon thread factories and Python callables as Runnables.

Gateway threads are daemons so a forgotten thread can never keep the JVM alive; the launcher
also ends with System.exit, as a real gateway shutdown would stop its executors.
"""
from java.lang import Runnable, Thread, Throwable
from java.util.concurrent import ThreadFactory
from java.util.concurrent.atomic import AtomicInteger

from gwsim import logs, notemulated


class _NamedFactory(ThreadFactory):
    def __init__(self, prefix):
        self.prefix = prefix
        self.counter = AtomicInteger()

    def newThread(self, runnable):
        thread = Thread(runnable, "%s-%d" % (self.prefix, self.counter.incrementAndGet()))
        thread.setDaemon(True)
        return thread


def factory(prefix):
    return _NamedFactory(prefix)


class Task(Runnable):
    """Runs a Python callable; errors are logged to logger_name, never propagated to Java.

    A scheduled executor silently cancels a periodic task whose run() throws, so every task
    catches both Python exceptions and Java Throwables.
    """

    def __init__(self, function, logger_name, what, args=(), kwargs=None):
        self.function = function
        self.logger = logs.getLogger(logger_name)
        self.what = what
        self.args = tuple(args or ())
        self.kwargs = dict(kwargs or {})

    def run(self):
        try:
            self.function(*self.args, **self.kwargs)
        except (Exception, Throwable, notemulated.NotEmulatedError):
            logs.log_python_error(self.logger, "Error running %s" % self.what)


def start(function, name, logger_name, what, args=(), kwargs=None):
    thread = Thread(Task(function, logger_name, what, args, kwargs), name)
    thread.setDaemon(True)
    thread.start()
    return thread
