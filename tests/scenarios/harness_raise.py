# Harness scenario: an uncaught exception must make `gwsim exec` exit 1 and
# print the traceback on stderr.
from __future__ import print_function


def fail_deeply():
    raise ValueError("harness boom")


print("about to fail")
fail_deeply()
