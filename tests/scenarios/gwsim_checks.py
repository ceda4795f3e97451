# Check helpers shared by the gwsim scenarios (gwsim_selftest.py, gwsim_fidelity.py), run under
# Jython by tools/gwsim: collect failures instead of stopping at the first, tell a Java exception
# from a Python one, and end the run with `RESULT {json}` and the exit status.
from __future__ import print_function

import sys
import time
import traceback

import java.lang

failures = []
facts = {}


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)
    return condition


def java_error(function, *args, **kwargs):
    """Call function; return the Java exception it raised (None if none).

    Also proves that a plain `except Exception` does not catch it, as in Ignition.
    """
    try:
        try:
            function(*args, **kwargs)
        except Exception as python_error:
            check(False, "a Python except caught %r; expected a Java exception" % python_error)
            return None
    except java.lang.Throwable as error:
        return error
    return None


def wait_for(predicate, seconds=5.0):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def section(name, body):
    try:
        body()
    except (BaseException, java.lang.Throwable):
        failures.append("%s raised:\n%s" % (name, traceback.format_exc()))
        print("FAIL: %s raised" % name)
        traceback.print_exc()


def finish(encode):
    """Print the failures and `RESULT {facts}` (encoded with `encode`, e.g.
    system.util.jsonEncode), then exit 1 if any check failed, else 0."""
    facts["failures"] = len(failures)
    if failures:
        print("%d check(s) failed:" % len(failures))
        for failure in failures:
            print(" -", failure.splitlines()[0])
    print("RESULT " + encode(facts))
    sys.exit(1 if failures else 0)
