"""Runs inside the BUILT 8.3 project (gwsim --project build/project-8.3):
its onStartup loaded the apps, its dispatch timer runs workflows (this script
never calls dispatch), and its onShutdown runs after this script ends (it
prints SHUTDOWN-RAN through a wrapper installed here)."""
from __future__ import print_function

import exchange.workflows.api.admin as admin
import exchange.workflows.engine.lifecycle as lifecycle
from wfkit import check, facts, finish, ok, svc, wait_for, wait_status

facts["serviceFile"] = svc.__file__
check("script-python" in svc.__file__, "the library comes from the built project", svc.__file__)

names = [o["value"] for o in ok(svc.listWorkflows(), "WORKFLOWS_LISTED")]
check("demo.small" in names and "demo.one_minute_progress" in names,
      "onStartup loaded the apps (exchange.workflows.apps.load)", names)

durable = ok(svc.start("demo.small", {"duration_s": 1}), "WORKFLOW_ENQUEUED")["workflowId"]
memory = ok(svc.enqueueInMemory("demo.small", {"duration_s": 0}),
            "IN_MEMORY_ENQUEUE_ACCEPTED")["workflowId"]
check(wait_status(durable, "SUCCESS", 30)["status"] == "SUCCESS",
      "the dispatch timer claimed and ran a started workflow")
check(wait_status(memory, "SUCCESS", 30)["status"] == "SUCCESS",
      "the dispatch timer flushed and ran an in-memory request")

last = wait_for(lambda: ok(admin.diagnostics(), "DIAGNOSTICS")["lastDispatch"], 10,
                what="a dispatch by the timer")
check(last and last["queueName"] == "default" and last["dbName"] == "WorkflowsDB",
      "the timer dispatches queue default on WorkflowsDB", last)

original = lifecycle.shutdown


def observed(*args, **kwargs):
    result = original(*args, **kwargs)
    print("SHUTDOWN-RAN flushed=%(flushed)s inMemoryDepth=%(inMemoryDepth)s" % result)
    return result


lifecycle.shutdown = observed  # onShutdown -> admin.shutdown() -> lifecycle.shutdown()
finish(durable=durable, memory=memory)
