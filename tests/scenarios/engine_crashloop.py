"""One life of a gateway whose workflow kills the JVM: run until the halt, or
report the run's status once recovery gives up on it."""
from __future__ import print_function

import sys

import exchange.workflows.api.admin as admin
import flows  # noqa: F401 - registers the test workflows
from wfkit import dispatch, finish, ok, started, svc, wait_status

ok(admin.configureRuntime(maxRecoveryAttempts=2), "RUNTIME_CONFIGURED")
if len(sys.argv) > 1 and sys.argv[1] == "start":
    wid = started("t.crashloop")
    print("STARTED " + wid)
    sys.stdout.flush()
    wait_status(wid, "SUCCESS", 20)  # never: the JVM halts first
    finish()
wid = sys.argv[1]
for _ in range(3):
    dispatch()
row = svc.getWorkflow(wid)["data"]
finish(status=row["status"], attempts=row["recoveryAttempts"], error=row["error"])
