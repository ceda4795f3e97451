# Harness scenario for `gwsim run`: announce readiness; the gateway stays up
# until it is signalled.
from __future__ import print_function

import sys

print("HARNESS READY")
sys.stdout.flush()
