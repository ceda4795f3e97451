"""The BUILT 8.3 project (tools/build), run by tools/gwsim --project: what
ships is what is tested. Its onStartup loads the apps, its dispatch timer runs
workflows, its onShutdown runs; every call the console views make works with
the argument shapes the views pass; client scopes are refused or routed
through the message handler."""
import os
import subprocess
import sys

import pytest

from tests import viewscripts
from tests.support.gwsim import ROOT


@pytest.fixture(scope="session")
def built_project(tmp_path_factory):
    out = tmp_path_factory.mktemp("built")
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "build"), "--out", str(out)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    assert p.returncode == 0, p.stdout.decode()
    return str(out / "project-8.3")


def _run(gwsim, scenario, db_url, project, timeout=150):
    r = gwsim.run(scenario, db_url, project=project, timeout=timeout)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
    return r


def test_startup_timer_and_shutdown_of_the_built_project_drive_the_engine(
        gwsim, db_url, built_project):
    r = _run(gwsim, "project_lifecycle.py", db_url, built_project)
    assert r.result["serviceFile"].startswith(built_project), r.result["serviceFile"]
    tail = r.stdout[r.stdout.index("RESULT "):]
    assert "SHUTDOWN-RAN flushed=" in tail and "inMemoryDepth=0" in tail, r.describe()


def test_every_console_call_works_with_the_argument_shapes_the_views_pass(
        gwsim, db_url, built_project):
    r = _run(gwsim, "project_console.py", db_url, built_project)
    exercised = set((name, npos, tuple(keywords)) for name, npos, keywords in r.result["shapes"])
    in_views = set(shape for shape in viewscripts.call_shapes(built_project)
                   if shape[0].startswith(("service.", "admin.", "security.", "schedules.")))
    assert len(in_views) >= 15, sorted(in_views)
    assert in_views <= exercised, "view calls no scenario exercised: %s" % sorted(
        in_views - exercised)


def test_client_scope_is_refused_or_routed_through_the_message_handler(gwsim, make_db_url,
                                                                       built_project):
    _run(gwsim, "project_scope.py", make_db_url("sqlite"), built_project)
