"""Runs inside the BUILT 8.3 project (gwsim --project build/project-8.3):
its onStartup loaded the apps (which register no workflow as shipped: no
demo), its dispatch timer runs workflows (this script never calls dispatch),
and its onShutdown runs after this script ends (it prints SHUTDOWN-RAN
through a wrapper installed here)."""
from __future__ import print_function

import exchange.workflows.api.admin as admin
import exchange.workflows.api.lifecycle as lifecycle
# The built project's apps folder has no code; its loader is the child script __init__.
from exchange.workflows.apps import __init__ as apps
from wfkit import check, facts, finish, ok, svc, wait_for, wait_status

facts["serviceFile"] = svc.__file__
check("script-python" in svc.__file__, "the library comes from the built project", svc.__file__)

names = [o["value"] for o in ok(svc.listWorkflows(), "WORKFLOW_OPTIONS_OK")["options"]]
check(not [n for n in names if n.startswith("demo.")],
      "the shipped project registers no demo workflow at startup", names)
# tools/demo's way of registering the demo workflows.
check("exchange.workflows.demo" in apps.loadReport(["exchange.workflows.demo"])["loaded"],
      "the demo workflows register on request")
names = [o["value"] for o in ok(svc.listWorkflows(), "WORKFLOW_OPTIONS_OK")["options"]]
check("demo.small" in names and "demo.one_minute_progress" in names, "demo registered", names)

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
