"""Every Python file that runs inside Ignition must compile under real Jython
2.7 AND under CPython 3: the code stays in the common subset (no f-strings,
annotations, nonlocal, keyword-only args, `print x`, `except E, e`).

Checked trees: scripts/ (the library) and ignition-project/ (event scripts).
tests/scenarios/ (Jython scripts run by tools/gwsim) and tools/gwsimlib/ (the
simulator) are checked with Jython only.
All files go through ONE JVM; compiled classes go to a temp dir, never into
the tree.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.support.gwsim import ROOT

COMMON_SUBSET_TREES = ("scripts", "ignition-project")
JYTHON_TREES = COMMON_SUBSET_TREES + (
    os.path.join("tests", "scenarios"),
    os.path.join("tools", "gwsimlib"),  # Jython-only (not the common subset)
)
SKIP_DIRS = {"__pycache__", ".git", "build", ".gwsim"}

JYTHON_JAR = "/usr/share/java/jython.jar"
JYTHON_HOME = "/usr/share/jython"

# Runs under Jython: compile each listed file, report failures as JSON.
JYTHON_DRIVER = r'''
import json, os, sys, traceback
import py_compile
listing, outdir, report = sys.argv[1], sys.argv[2], sys.argv[3]
failures = {}
n = 0
for line in open(listing):
    rel = line.rstrip("\n").decode("utf-8")
    if not rel:
        continue
    n += 1
    src = os.path.join(os.environ["WF_ROOT"], rel)
    cfile = os.path.join(outdir, rel.replace(os.sep, "_") + "$py.class")
    try:
        py_compile.compile(src, cfile=cfile, dfile=rel, doraise=True)
    except Exception as e:
        failures[rel] = str(getattr(e, "msg", e)) or traceback.format_exc()
out = open(report, "w")
out.write(json.dumps({"compiled": n, "failures": failures}))
out.close()
'''


def python_files(*trees):
    """Repo-relative paths of all .py files under the given trees (sorted)."""
    found = []
    for tree in trees:
        top = os.path.join(ROOT, tree)
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
            for name in sorted(filenames):
                if name.endswith(".py"):
                    found.append(os.path.relpath(os.path.join(dirpath, name), ROOT))
    return found


def class_files_in_tree():
    out = []
    for tree in JYTHON_TREES:
        for dirpath, _dirnames, filenames in os.walk(os.path.join(ROOT, tree)):
            out += [os.path.join(dirpath, f) for f in filenames if f.endswith("$py.class")]
    return out


def test_walk_finds_library_package():
    files = python_files("scripts")
    assert os.path.join("scripts", "exchange", "__init__.py") in files
    assert os.path.join("scripts", "exchange", "workflows", "__init__.py") in files
    assert all(f.endswith(".py") for f in files)


def test_compiles_under_jython(tmp_path):
    files = python_files(*JYTHON_TREES)
    assert files, "no Python files found under %s" % (JYTHON_TREES,)
    before = set(class_files_in_tree())
    listing = tmp_path / "files.txt"
    listing.write_text("\n".join(files) + "\n", encoding="utf-8")
    driver = tmp_path / "driver.py"
    driver.write_text(JYTHON_DRIVER, encoding="utf-8")
    outdir = tmp_path / "classes"
    outdir.mkdir()
    report = tmp_path / "report.json"
    env = dict(os.environ, WF_ROOT=ROOT)
    p = subprocess.run(
        ["java", "-Xss4m", "-cp", JYTHON_JAR, "-Dpython.home=" + JYTHON_HOME,
         "-Dpython.cachedir.skip=true", "-Dpython.console.encoding=UTF-8",
         "org.python.util.jython", "-B", str(driver), str(listing), str(outdir), str(report)],
        cwd=str(tmp_path), env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600,
    )
    assert p.returncode == 0 and report.exists(), "Jython driver failed (rc %s):\n%s\n%s" % (
        p.returncode, p.stdout.decode("utf-8", "replace")[-3000:],
        p.stderr.decode("utf-8", "replace")[-3000:])
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["compiled"] == len(files)
    leftovers = set(class_files_in_tree()) - before
    assert not leftovers, "Jython left compiled classes in the tree: %s" % sorted(leftovers)
    assert not data["failures"], "does not compile under Jython 2.7:\n" + "\n".join(
        "%s: %s" % kv for kv in sorted(data["failures"].items()))


@pytest.mark.parametrize("tree", COMMON_SUBSET_TREES)
def test_compiles_under_cpython3(tree):
    failures = {}
    for rel in python_files(tree):
        with open(os.path.join(ROOT, rel), "rb") as f:
            source = f.read()
        try:
            compile(source, rel, "exec", dont_inherit=True)
        except SyntaxError as e:
            failures[rel] = "line %s: %s" % (e.lineno, e.msg)
    assert not failures, "does not compile under CPython %d.%d:\n%s" % (
        sys.version_info[0], sys.version_info[1],
        "\n".join("%s: %s" % kv for kv in sorted(failures.items())))
