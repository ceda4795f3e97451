"""The built 8.3 project (tools/build) in a test's folder, and a site's
additions to it: workflow modules under exchange/workflows/apps/, listed
in the shipped loader's MODULES as a site would list them."""
import json
import os
import subprocess
import sys

from tests.support.gwsim import ROOT

APPS = os.path.join("ignition", "script-python", "exchange", "workflows", "apps")
RESOURCE = {"scope": "A", "version": 1, "restricted": False, "overridable": True,
            "files": ["code.py"], "attributes": {"hintScope": 2}}


def build(out):
    """Builds the project into ``out``; returns the 8.3 project's folder."""
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "build"), "--out", str(out)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    assert p.returncode == 0, p.stdout.decode()
    return os.path.join(str(out), "project-8.3")


def writeScript(folder, code):
    """A project library script resource: ``folder``/code.py and its resource.json."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "code.py"), "w") as f:
        f.write(code)
    with open(os.path.join(folder, "resource.json"), "w") as f:
        json.dump(RESOURCE, f)


def listModules(project, modules):
    """Sets the shipped loader's MODULES (empty as shipped) to ``modules``."""
    loader = os.path.join(project, APPS, "__init__", "code.py")
    with open(loader) as f:
        shipped = f.read()
    assert shipped.count("\nMODULES = []\n") == 1
    with open(loader, "w") as f:
        f.write(shipped.replace("\nMODULES = []\n", "\nMODULES = %s\n" % json.dumps(modules)))
