"""The built Ignition project passes iglint and ign-lint with no finding, and
every script embedded in a view compiles under Jython 2.7 (with the header
Ignition compiles it under) and calls only exchange.workflows.api and
exchange.workflows.console functions that exist, with arguments they accept.

Linter settings: lint/iglint.toml, lint/ign-lint.json, lint/ign-lint.pylintrc
(each change from a default is justified there).
"""
import ast
import json
import os
import shutil
import subprocess
import sys

import pytest

from tests import viewscripts
from tests.support.gwsim import ROOT

LINT = os.path.join(ROOT, "lint")
LIBRARY = os.path.join(ROOT, "scripts", "exchange", "workflows")
# What views may call: the public API and the console's presentation logic.
VIEW_PACKAGES = ("api", "console")
JYTHON = ["java", "-Xss4m", "-cp", "/usr/share/java/jython.jar", "-Dpython.home=/usr/share/jython",
          "-Dpython.cachedir.skip=true", "org.python.util.jython", "-B"]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "build"), "--out", str(out)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    assert p.returncode == 0, p.stdout.decode()
    return str(out / "project-8.3")


def tool(name):
    """The linter installed next to this interpreter (tools/setup puts it there)."""
    path = os.path.join(os.path.dirname(sys.executable), name)
    path = path if os.path.exists(path) else shutil.which(name)
    assert path, "%s is not installed: run tools/setup (requirements-dev.txt pins it)" % name
    return path


def test_built_project_passes_iglint(project):
    p = subprocess.run([tool("iglint"), "check", "--config", os.path.join(LINT, "iglint.toml"),
                        "--no-cache", "--output-format", "concise", project],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    out = p.stdout.decode("utf-8", "replace")
    assert p.returncode == 0 and "All checks passed" in out, out


def test_views_pass_ign_lint(project, tmp_path):
    config = json.load(open(os.path.join(LINT, "ign-lint.json")))
    kwargs = config["PylintScriptRule"]["kwargs"]
    kwargs["pylintrc"] = os.path.join(ROOT, kwargs["pylintrc"])  # it resolves against cwd
    kwargs["debug_dir"] = str(tmp_path / "debug")
    (tmp_path / "config.json").write_text(json.dumps(config))
    views = viewscripts.view_files(project)
    p = subprocess.run([tool("ign-lint"), "--config", str(tmp_path / "config.json")] + views,
                       cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    out = p.stdout.decode("utf-8", "replace")
    assert p.returncode == 0, out
    assert "Files processed: %d" % len(views) in out and "warning" not in out.lower() \
        and "error" not in out.lower(), out


def test_views_use_only_the_api_no_sql(project):
    assert len(viewscripts.view_files(project)) >= 6
    kinds = set(kind for _view, kind in viewscripts.bindings(project))
    assert "query" not in kinds and "tag" not in kinds, kinds
    for script in viewscripts.view_scripts(project):
        assert "system.db" not in script.body and "runNamedQuery" not in script.body, script


def test_view_scripts_compile_under_jython(project, tmp_path):
    scripts = viewscripts.view_scripts(project)
    assert len(scripts) > 20
    listing = []
    for i, script in enumerate(scripts):
        path = tmp_path / ("s%03d.py" % i)
        path.write_text(script.source, encoding="utf-8")
        listing.append((str(path), repr(script)))
    (tmp_path / "listing.json").write_text(json.dumps(listing))
    driver = tmp_path / "driver.py"
    driver.write_text(
        "import json, sys\n"
        "bad = []\n"
        "for path, what in json.load(open(sys.argv[1])):\n"
        "    try:\n"
        "        compile(open(path).read(), what, 'exec')\n"
        "    except SyntaxError as e:\n"
        "        bad.append('%s: line %s: %s' % (what, e.lineno, e.msg))\n"
        "print(json.dumps({'n': len(json.load(open(sys.argv[1]))), 'bad': bad}))\n")
    p = subprocess.run(JYTHON + [str(driver), str(tmp_path / "listing.json")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    assert p.returncode == 0, p.stderr.decode()
    report = json.loads(p.stdout.decode().strip().splitlines()[-1])
    assert report["n"] == len(scripts) and not report["bad"], "\n".join(report["bad"])


def _view_modules():
    """{(package, module): {name: ast.FunctionDef or None}} of the top level
    of api/*.py and console/*.py."""
    modules = {}
    for package in VIEW_PACKAGES:
        folder = os.path.join(LIBRARY, package)
        for name in os.listdir(folder):
            if name.endswith(".py") and name != "__init__.py":
                modules[(package, name[:-3])] = _topLevel(os.path.join(folder, name))
    return modules


def _topLevel(path):
    """{name: ast.FunctionDef, or None for a constant} of a module's top level."""
    top = {}
    for node in ast.parse(open(path).read()).body:
        if isinstance(node, ast.FunctionDef):
            top[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    top[target.id] = None
    return top


def _accepts(fn, npos, keywords):
    params = [a.arg for a in fn.args.args]
    required = params[:len(params) - len(fn.args.defaults)]
    if npos > len(params) and fn.args.vararg is None:
        return "takes at most %d positional arguments" % len(params)
    unknown = [k for k in keywords if k not in params]
    if unknown and fn.args.kwarg is None:
        return "has no parameter %s" % ", ".join(unknown)
    missing = [p for p in required[npos:] if p not in keywords]
    if missing:
        return "needs %s" % ", ".join(missing)
    return ""


def test_view_scripts_call_only_existing_api_functions(project):
    modules = _view_modules()
    problems, called = [], set()
    for script in viewscripts.view_scripts(project):
        calls, names = viewscripts.library_references(script)
        for name in names:
            parts = name.split(".")
            if len(parts) != 5 or parts[:2] != ["exchange", "workflows"] \
                    or parts[2] not in VIEW_PACKAGES:
                problems.append("%r uses %s: views may use only exchange.workflows.api.<module>."
                                "<name> and exchange.workflows.console.<module>.<name>" % (
                                    script, name))
            elif parts[4] not in modules.get((parts[2], parts[3]), {}):
                problems.append("%r uses %s, which does not exist" % (script, name))
        for name, npos, keywords in calls:
            parts = name.split(".")
            fn = modules.get((parts[2], parts[3]), {}).get(parts[4]) if len(parts) == 5 else None
            if fn is None:
                continue  # reported above
            called.add(name)
            why = _accepts(fn, npos, keywords)
            if why:
                problems.append("%r calls %s(%d positional, %s): it %s" % (
                    script, name, npos, ", ".join(keywords), why))
    assert not problems, "\n".join(problems)
    # The console reaches the service and admin APIs only through these calls.
    assert {"exchange.workflows.api.service.listRuns", "exchange.workflows.api.service.start",
            "exchange.workflows.api.service.sendCommand", "exchange.workflows.api.service.cancel",
            "exchange.workflows.api.admin.setMaintenance", "exchange.workflows.api.admin.diagnostics",
            } <= called, sorted(called)


def test_header_table_matches_ignition_event_kinds(project):
    kinds = set(s.kind for s in viewscripts.view_scripts(project))
    assert {"event", "transform", "method", "message"} <= kinds, kinds
    for script in viewscripts.view_scripts(project):
        assert script.body.startswith("\t"), "%r: Perspective stores tab-indented bodies" % script
