# Harness scenario (tests/integration/test_gwsim_selftest.py): print a RESULT
# line, then exit with the status given as the first argument.
from __future__ import print_function

import json
import sys

code = int(sys.argv[1]) if len(sys.argv) > 1 else 0
print("RESULT " + json.dumps({"exit": code}))
sys.stdout.flush()
sys.exit(code)
