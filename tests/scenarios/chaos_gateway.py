"""The gateway of the database-chaos test (gwsim run mode). argv: seconds.
Keeps starting chaos.chain runs, half through start() and half through
enqueueInMemory(), while the test restarts PostgreSQL under it. Prints one
"ACK <id>" line per request the API acknowledged, then "PRODUCED"."""
from __future__ import print_function

import sys
import time

import exchange.workflows.api.admin as admin
import exchange.workflows.api.service as svc
import scaleflows

seconds = float(sys.argv[1])
admin.configureRuntime(maxWorkers=6)
scaleflows.ensure_tables()
print("READY")
sys.stdout.flush()
deadline, i, refused = time.time() + seconds, 0, {}
while time.time() < deadline:
    call = svc.enqueueInMemory if i % 2 else svc.start
    r = call("chaos.chain", {"k": 3})
    if r["ok"]:
        print("ACK " + r["data"]["workflowId"])
        sys.stdout.flush()
        i += 1
    else:
        refused[r["code"]] = refused.get(r["code"], 0) + 1
    time.sleep(0.05)
print("PRODUCED %d refused=%s" % (i, refused))
sys.stdout.flush()
