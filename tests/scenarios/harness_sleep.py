# Harness scenario: never finishes by itself (for timeout and kill tests).
from __future__ import print_function

import sys
import time

print("HARNESS SLEEPING")
sys.stdout.flush()
while True:
    time.sleep(1)
