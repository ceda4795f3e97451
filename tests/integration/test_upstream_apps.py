"""ignition-workflows 0.3.6's apps layout on the BUILT 8.3 project (issue 13,
P2): a site adds a workflow module written in 0.3.6's style at
exchange/workflows/apps/site/flows, as it did in 0.3.6, registers it either
in our loader's MODULES or with its own 0.3.6-style apps/__init__ loader,
and the project's onStartup loads it; the dispatch timer runs it to SUCCESS
(scenario tests/scenarios/upstream_apps.py)."""
import os

import pytest

from tests.support import builtproject

# A site's module in 0.3.6's style: its imports, decorators with and
# without names, a step with 0.3.6's retry options, rt from getWorkflows(dbName)
# and 0.3.6's class methods for the current run.
FLOWS = '''\
from exchange.workflows.engine.runtime import workflow, step, Cancelled, WorkflowsRuntime
from exchange.workflows.engine.instance import getWorkflows


@step(options={"retries_allowed": True, "max_attempts": 3, "interval_seconds": 0.1})
def double(x):
    return x * 2


@workflow(name="site.double_it")
def double_it(x=1):
    rt = getWorkflows(dbName="WorkflowsDB")
    rt.progress("doubling %s" % x)
    here = WorkflowsRuntime.getCurrentContext()
    return {"result": double(x), "steps": [double.stepName],
            "context": [here.workflowId == rt.workflowId, here.workflowName, here.dbName],
            "current": WorkflowsRuntime.getCurrentRuntime() is not None}


@workflow()
def triple_it(x=1):
    return x * 3


@workflow(name="site.give_up")
def give_up():
    raise Cancelled("operator said so")
'''
# A site's own loader in 0.3.6's style, replacing ours: load(include_tests=True)
# imports the site's modules once and answers True; with tests it would import
# a fixtures module this project does not have, so startup must pass False.
SITE_LOADER = '''\
_done = []


def load(include_tests=True):
    if not _done:
        import exchange.workflows.apps.site.flows  # noqa: F401
        _done.append(True)
    if include_tests:
        import exchange.workflows.tests.fixtures  # noqa: F401
    return True
'''


def _site_project(tmp_path, case):
    project = builtproject.build(tmp_path / "built")
    apps = os.path.join(project, builtproject.APPS)
    builtproject.writeScript(os.path.join(apps, "site", "flows"), FLOWS)
    if case == "upstream":
        builtproject.writeScript(os.path.join(apps, "__init__"), SITE_LOADER)
    else:
        builtproject.listModules(project, ["exchange.workflows.apps.site.flows"])
    return project


@pytest.mark.parametrize("case", ["upstream", "shipped"])
def test_startup_loads_a_site_module_under_apps_and_runs_it(gwsim, db_url, tmp_path, case):
    project = _site_project(tmp_path, case)
    r = gwsim.run("upstream_apps.py", db_url, args=[case], project=project, timeout=180)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
