"""A project save (library reload) in the middle of running workflows."""
from __future__ import print_function

import gwsim
from java.lang import System

import exchange
import flows
from wfkit import check, finish, ok, started, svc, wait_status

flows.ensure_tables()
kernel_before = exchange.workflows.engine.kernel.get()
old = [started("t.generation", {"sleep_ms": 1500}) for _ in range(3)]
loops = started("t.loop", {"n": 15, "sleep_ms": 100})
mem = ok(svc.enqueueInMemory("t.noop", {"x": 7}), "IN_MEMORY_ENQUEUE_ACCEPTED")["workflowId"]
for wid in old:
    wait_status(wid, "RUNNING", 5)
pool_before = kernel_before["pool"].get()
service_before = id(svc)

gwsim.reloadProject()  # as if the project were saved in the Designer

import exchange.workflows.api.service as service  # noqa: E402 - fresh import after the save
import exchange.workflows.engine.kernel as kernel  # noqa: E402
import exchange.workflows.api.admin as admin  # noqa: E402
check(id(service) != service_before, "the service module was re-executed")
names = [o["value"] for o in service.listWorkflows()["data"]["options"]]
check("t.generation" not in names and "demo.small" not in names,
      "after a save only apps.load() registrations exist (none shipped, no demo)", names)
reload(flows)  # re-import the test workflows on the new code
kernel_after = kernel.get()
check(kernel_after is kernel_before, "the kernel survives in getGlobals()")
check(System.identityHashCode(kernel_after["pool"].get()) == System.identityHashCode(pool_before),
      "no second worker pool")
new = started("t.generation")
for wid in old:
    row = wait_status(wid, ("SUCCESS", "ERROR"), 10)
    check(row["status"] == "SUCCESS", "a run started before the save finishes", row)
row_old = service.getWorkflow(old[0])["data"]
row_new = wait_status(new, "SUCCESS", 10)
check(row_old["output"]["generation"] == row_old["output"]["after"] < row_new["output"]["generation"],
      "old runs finish on their old code, new runs start on the new code", row_old["output"], row_new["output"])
check(wait_status(loops, "SUCCESS", 15)["status"] == "SUCCESS", "a looping run survives the save")
check(wait_status(mem, "SUCCESS", 10)["status"] == "SUCCESS", "the in-memory queue survives the save")
pool = kernel_after["pool"].get()
check(pool.getPoolSize() <= pool.getMaximumPoolSize(), "pool stays bounded")
diag = admin.diagnostics()["data"]
check(diag["generation"] >= 2 and diag["running"] == [], "diagnostics after the save", diag)
finish()
