"""Issue 13 (plan13 section 7.2): ignition-workflows 0.3.6's own example
modules, unchanged, in the BUILT 8.3 project on this engine, through
tools/gwsim on SQLite and PostgreSQL (tests/scenarios/upstream_examples.py
lists the checks).

A developer check, not a CI one: nothing of 0.3.6 is committed here. Set
UPSTREAM_CHECKOUT to a clone of marcelo-6/ignition-workflows at v0.3.6 (a
work tree, or a bare git directory, read at HEAD); without it the test is
skipped. (0.3.6 is MIT-licensed: should the project decide to keep the three
modules as fixtures, with 0.3.6's LICENSE beside them, in
tests/fixtures/upstream036_examples/<name>/code.py, the test reads them from
there and runs without the variable.) The example modules are copied from there into the built project's
exchange/workflows/apps/examples/, where 0.3.6 kept them, and listed in our
loader's MODULES, as a site moving over would do. The run takes about 70 s
(0.3.6's demo.one_minute_progress always runs 60 s).
"""
import os
import subprocess

import pytest

from tests.support import builtproject

CHECKOUT = os.environ.get("UPSTREAM_CHECKOUT")
KEPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures",
                    "upstream036_examples")
UPSTREAM_APPS = "projects/workflows/ignition/script-python/exchange/workflows/apps/examples"
EXAMPLES = ("workflows", "steps", "enums")
MODULES = ["exchange.workflows.apps.examples.%s" % name for name in EXAMPLES]

pytestmark = pytest.mark.skipif(
    not CHECKOUT and not os.path.isdir(KEPT),
    reason="set UPSTREAM_CHECKOUT to a checkout of ignition-workflows 0.3.6")


def _example(name):
    """The code of 0.3.6's example module ``name``: from UPSTREAM_CHECKOUT (a
    work tree, or a git directory at HEAD), else from the kept fixtures."""
    if not CHECKOUT:
        with open(os.path.join(KEPT, name, "code.py")) as f:
            return f.read()
    path = "%s/%s/code.py" % (UPSTREAM_APPS, name)
    tree = os.path.join(CHECKOUT, path)
    if os.path.exists(tree):
        with open(tree) as f:
            return f.read()
    p = subprocess.run(["git", "--git-dir", CHECKOUT, "show", "HEAD:" + path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    assert p.returncode == 0, p.stderr.decode()
    return p.stdout.decode("utf-8")


def _project(tmp_path):
    project = builtproject.build(tmp_path / "built")
    for name in EXAMPLES:
        builtproject.writeScript(os.path.join(project, builtproject.APPS, "examples", name),
                                 _example(name))
    builtproject.listModules(project, MODULES)
    return project


def test_0_3_6_example_modules_run_unchanged(gwsim, db_url, tmp_path):
    r = gwsim.run("upstream_examples.py", db_url, project=_project(tmp_path), timeout=400)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
