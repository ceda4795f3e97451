"""Gateway logging: the LoggerEx objects returned by system.util.getLogger.

Every record is one line on stderr (timestamp, level, logger, thread, message), written
with a single println so lines from concurrent threads never interleave.
Levels are set globally and per logger-name prefix (--log-level exchange.workflows=DEBUG);
the longest matching prefix wins, like logback's hierarchical loggers.
"""
import sys
import traceback

from java.lang import String, System, Thread, Throwable
from java.io import PrintWriter, StringWriter
from java.text import SimpleDateFormat
from java.util import Date

LEVELS = {"TRACE": 0, "DEBUG": 1, "INFO": 2, "WARN": 3, "ERROR": 4, "OFF": 5}

_config = {"default": LEVELS["INFO"], "prefixes": {}}
_loggers = {}


def configure(specs):
    """Apply level specs such as ["DEBUG", "exchange.workflows=TRACE"].

    Raises ValueError for an unknown level, so a typo on the command line is not ignored.
    """
    for spec in specs:
        for part in spec.split(","):
            part = part.strip()
            if not part:
                continue
            name, _, level = part.rpartition("=")
            level = level.strip().upper()
            if level == "WARNING":
                level = "WARN"
            if level not in LEVELS:
                raise ValueError("unknown log level %r (use TRACE, DEBUG, INFO, WARN, ERROR, OFF)" % part)
            if name:
                _config["prefixes"][name.strip()] = LEVELS[level]
            else:
                _config["default"] = LEVELS[level]


def _threshold(name):
    best, best_len = _config["default"], -1
    for prefix, level in _config["prefixes"].items():
        if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > best_len:
            best, best_len = level, len(prefix)
    return best


def _stack_text(throwable):
    if isinstance(throwable, Throwable):
        out = StringWriter()
        throwable.printStackTrace(PrintWriter(out))
        return out.toString().rstrip()
    if isinstance(throwable, BaseException):
        # A Python exception passed as the throwable: print it the Python way.
        return "".join(traceback.format_exception_only(type(throwable), throwable)).rstrip()
    return str(throwable)


class LoggerEx(object):
    """The subset of Ignition's LoggerEx that scripts use (slf4j-style plus printf variants)."""

    def __init__(self, name):
        self.name = name

    def getName(self):
        return self.name

    def _enabled(self, level):
        return LEVELS[level] >= _threshold(self.name)

    def _log(self, level, message, throwable=None):
        if not self._enabled(level):
            return
        stamp = SimpleDateFormat("yyyy-MM-dd HH:mm:ss.SSS").format(Date())
        line = u"%s %-5s [%s] [%s] %s" % (stamp, level, self.name, Thread.currentThread().getName(),
                                          _text(message))
        if throwable is not None:
            line += u"\n" + _stack_text(throwable)
        System.err.println(line)

    def _logf(self, level, fmt, args):
        if self._enabled(level):
            # Ignition's *f methods use java.lang.String.format semantics (%s, %d, %.2f ...).
            self._log(level, String.format(_text(fmt), list(args)))

    def trace(self, message, throwable=None):
        self._log("TRACE", message, throwable)

    def debug(self, message, throwable=None):
        self._log("DEBUG", message, throwable)

    def info(self, message, throwable=None):
        self._log("INFO", message, throwable)

    def warn(self, message, throwable=None):
        self._log("WARN", message, throwable)

    def error(self, message, throwable=None):
        self._log("ERROR", message, throwable)

    def tracef(self, fmt, *args):
        self._logf("TRACE", fmt, args)

    def debugf(self, fmt, *args):
        self._logf("DEBUG", fmt, args)

    def infof(self, fmt, *args):
        self._logf("INFO", fmt, args)

    def warnf(self, fmt, *args):
        self._logf("WARN", fmt, args)

    def errorf(self, fmt, *args):
        self._logf("ERROR", fmt, args)

    def isTraceEnabled(self):
        return self._enabled("TRACE")

    def isDebugEnabled(self):
        return self._enabled("DEBUG")

    def isInfoEnabled(self):
        return self._enabled("INFO")

    def isWarnEnabled(self):
        return self._enabled("WARN")

    def isErrorEnabled(self):
        return self._enabled("ERROR")


def _text(value):
    if isinstance(value, unicode):
        return value
    if isinstance(value, str):
        return value.decode("utf-8", "replace")
    return unicode(value)


def getLogger(name):
    """Return the shared LoggerEx for name (one object per name, like Ignition)."""
    logger = _loggers.get(name)
    if logger is None:
        logger = _loggers.setdefault(name, LoggerEx(name))
    return logger


def log_python_error(logger, message):
    """Log the exception being handled (Python or Java) with its traceback and Java causes."""
    text = message + "\n" + traceback.format_exc().rstrip()
    error = sys.exc_info()[1]
    cause = error.getCause() if isinstance(error, Throwable) else None
    while cause is not None:
        text += "\nCaused by: %s" % cause
        cause = cause.getCause()
    logger.error(text)
