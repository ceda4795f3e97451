# Harness scenario: echo argv and what the gateway provides. Prints two RESULT
# lines; the harness must use the last one.
from __future__ import print_function

import json
import sys

print("RESULT " + json.dumps({"first": True}))
try:
    has_system = system is not None
except NameError:
    has_system = False
print("RESULT " + json.dumps({
    "argv": sys.argv[1:],
    "has_system": has_system,
    "jython": sys.platform.startswith("java"),
    "version": list(sys.version_info[:2]),
}))
