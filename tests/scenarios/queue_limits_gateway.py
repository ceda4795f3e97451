"""A gateway of the two-gateway queue-limit test (gwsim run mode): argv[1]
is its number. Gateway 0 configures the queues and starts the runs; both
claim them through the project's dispatch timer."""
from __future__ import print_function

import sys
import time

import exchange.workflows.api.admin as admin
import exchange.workflows.api.service as svc
from exchange.workflows.bootstrap import workflow
from exchange.workflows.engine import identity


@workflow(name="ql.work")
def work(pause_ms=300):
    # When the run's work began and ended, as the run saw it (a row's
    # startedMs is read before its claim waits for the queue's lock).
    began = int(time.time() * 1000)
    time.sleep(pause_ms / 1000.0)
    return {"executor": identity.executorId(), "began": began, "ended": int(time.time() * 1000)}


admin.checkSchema()
if sys.argv[1] == "0":
    assert admin.configureQueue("rated", rateLimit={"limit": 3, "periodSeconds": 2})["ok"]
    assert admin.configureQueue("perGateway", workerConcurrency=1)["ok"]
    for _ in range(12):
        assert svc.enqueueInMemory("ql.work", {"pause_ms": 50}, queueName="rated")["ok"]
    for _ in range(8):
        assert svc.enqueueInMemory("ql.work", {"pause_ms": 400}, queueName="perGateway")["ok"]
print("READY %s" % sys.argv[1])
sys.stdout.flush()
