"""A gateway of the scale-out tests (gwsim run mode).
argv: role lease [n partitions k pause_ms]; role "producer" also starts n
scale.chain runs (k steps, pause_ms apart) over the given partition keys."""
from __future__ import print_function

import sys

import exchange.workflows.api.admin as admin
import exchange.workflows.api.service as svc
import scaleflows

role, lease = sys.argv[1], float(sys.argv[2])
admin.configureRuntime(leaseSeconds=lease, maxWorkers=6)
scaleflows.ensure_tables()
admin.checkSchema()
if role == "producer":
    n, partitions = int(sys.argv[3]), int(sys.argv[4])
    k, pause = (int(sys.argv[5]), int(sys.argv[6])) if len(sys.argv) > 6 else (3, 60)
    ids = []
    for i in range(n):
        kw = {"partitionKey": "p%d" % (i % partitions)} if partitions else {}
        call = svc.enqueueInMemory if i % 3 == 0 else svc.start
        r = call("scale.chain", {"k": k, "pause_ms": pause}, **kw)
        assert r["ok"], r
        ids.append(r["data"]["workflowId"])
    svc.dispatch(flushMaxItems=500, flushMaxMs=5000)
    print("STARTED %d" % len(ids))
print("READY %s" % role)
sys.stdout.flush()
