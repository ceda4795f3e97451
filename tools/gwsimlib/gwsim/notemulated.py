"""Calls to real Ignition functions that gwsim does not emulate: fail loudly, count, report.

Project code often wraps gateway calls in a blanket `except Exception`, which would hide a plain
AttributeError in a log line. So a call to a `system.*` function that a gateway has (see
system/catalog.py) but gwsim does not emulate:
  - is logged at ERROR on logger gwsim.notemulated, with the calling stack;
  - is counted (`gwsim.notEmulated()` lists the calls; `tools/gwsim` prints a summary at exit
    and turns a 0 exit status into EXIT_STATUS);
  - raises NotEmulatedError, which derives from BaseException, not Exception, so
    `except Exception` does not catch it (a bare `except:` still does, and is still counted).
"""
import threading
import traceback

from gwsim import logs

EXIT_STATUS = 97  # the exit status of `tools/gwsim exec` whose script itself ended with 0

_lock = threading.Lock()
_calls = {}  # "system.x.y" -> count
_log = logs.getLogger("gwsim.notemulated")


class NotEmulatedError(BaseException):
    """A real Ignition function that gwsim does not emulate was used."""


def record(qualified_name):
    """Count and log one use of qualified_name; returns the error to raise."""
    with _lock:
        _calls[qualified_name] = _calls.get(qualified_name, 0) + 1
    message = "%s is not emulated by gwsim (see tools/gwsimlib/README.md)" % qualified_name
    _log.error("%s; called from:\n%s" % (message, "".join(traceback.format_stack()[:-2])))
    return NotEmulatedError(message)


class NotEmulatedFunction(object):
    """Stands for a gateway function gwsim lacks: hasattr() answers True, a call fails loudly."""

    def __init__(self, qualified_name):
        self.__name__ = qualified_name.rpartition(".")[2]
        self.qualified_name = qualified_name

    def __call__(self, *args, **kwargs):
        raise record(self.qualified_name)

    def __repr__(self):
        return "<%s: not emulated by gwsim>" % self.qualified_name


def calls():
    """{qualified name: count} of the not-emulated calls so far."""
    with _lock:
        return dict(_calls)


def clear():
    with _lock:
        _calls.clear()


def summary():
    """A loud multi-line report of the not-emulated calls, or "" when there were none."""
    found = calls()
    if not found:
        return ""
    bar = "=" * 78
    lines = [bar, "gwsim: %d call(s) to Ignition functions that gwsim does NOT emulate:" % sum(found.values())]
    for name in sorted(found):
        lines.append("  %s  (%d call(s))" % (name, found[name]))
    lines.append("These calls raised NotEmulatedError; results of this run are not trustworthy.")
    lines.append(bar)
    return "\n".join(lines) + "\n"
