"""Runs inside a BUILT 8.3 project to which a site added a workflow module
written in ignition-workflows 0.3.6's style at
exchange/workflows/apps/site/flows (tests/integration/test_upstream_apps.py).
The project's onStartup must have registered it; this script loads nothing.

argv[1]: "upstream" (the site replaced apps/__init__ with its own 0.3.6-style
loader) or "shipped" (the site listed its module in our loader's MODULES).
"""
from __future__ import print_function

import sys

import exchange.workflows.api.admin as admin
from exchange.workflows.apps import __init__ as loader
from exchange.workflows.engine import registry
from exchange.workflows.engine.runtime import WorkflowsRuntime
from wfkit import check, facts, finish, ok, svc, wait_status

case = sys.argv[1]
facts["case"] = case

wdef = registry.get("site.double_it")
check(wdef is not None, "onStartup registered the site's workflow from apps/site/flows",
      registry.names())
check(wdef is not None and wdef.profile == "upstream",
      "a workflow registered through engine.runtime has the upstream profile")
check(registry.get("triple_it") is not None,
      "engine.runtime.workflow() without a name registers the function's own name",
      registry.names())
if case == "shipped":
    check(hasattr(loader, "loadReport")
          and loader.MODULES == ["exchange.workflows.apps.site.flows"],
          "apps.__init__ is our loader with the site's MODULES")
    check(loader.load() is True, "apps.__init__.load() answers True when everything loaded")
else:
    check(not hasattr(loader, "loadReport"), "apps.__init__ is the site's own loader")
    check(loader.load(include_tests=False) is True, "the site's load() still answers True")

# What onStartup's admin.startup() answered, asked again (loading is idempotent).
started = ok(admin.startup(), "STARTED")
expected = ["exchange.workflows.apps.site.flows"] if case == "shipped" else \
    ["exchange.workflows.apps.__init__"]
check(started and started["loaded"] == expected and started["failed"] == {},
      "startup reports the site's modules loaded, nothing failed", started)
if case == "upstream":
    extra = ok(admin.startup(["exchange.workflows.demo"]), "STARTED")
    check(extra and "exchange.workflows.demo" in extra["failed"]
          and "loadReport" in extra["failed"]["exchange.workflows.demo"],
          "with a 0.3.6-style loader, startup(modules) reports extra modules as not loaded",
          extra)

wid = ok(svc.start("site.double_it", {"x": 21}), "WORKFLOW_ENQUEUED")["workflowId"]
row = wait_status(wid, ("SUCCESS", "ERROR"), 60)
check(row["status"] == "SUCCESS", "the site's workflow ran to SUCCESS on the dispatch timer", row)
check(row.get("output") == {"result": 42, "steps": ["double"], "current": True,
                            "context": [True, "site.double_it", "WorkflowsDB"]},
      "its step ran under its function name, getCurrentContext/getCurrentRuntime saw the run",
      row.get("output"))
check(WorkflowsRuntime.getCurrentContext() is None and WorkflowsRuntime.getCurrentRuntime() is None,
      "outside a run there is no current context or runtime")
other = ok(svc.start("triple_it", {"x": 2}), "WORKFLOW_ENQUEUED")["workflowId"]
check(wait_status(other, "SUCCESS", 60)["status"] == "SUCCESS", "the unnamed workflow ran")
gave_up = ok(svc.start("site.give_up", {}), "WORKFLOW_ENQUEUED")["workflowId"]
row = wait_status(gave_up, ("CANCELLED", "ERROR", "SUCCESS"), 60)
check(row["status"] == "CANCELLED"
      and (row.get("error") or {}).get("message") == "operator said so",
      "a workflow that raises Cancelled itself ends CANCELLED, as in 0.3.6", row)
finish(workflowId=wid)
