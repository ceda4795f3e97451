"""tools/build: the importable 8.3 and 8.1 projects, reproducible to the byte."""
import importlib.machinery
import importlib.util
import json
import os
import subprocess
import sys
import zipfile

import pytest

from tests.support.gwsim import ROOT

BUILD = os.path.join(ROOT, "tools", "build")
LIB = "ignition/script-python/"
EVENTS = ("ignition/startup/onStartup.py", "ignition/shutdown/onShutdown.py",
          "ignition/timer/dispatch/handleTimerEvent.py", "ignition/message/workflows/handleMessage.py")


def load_build():
    loader = importlib.machinery.SourceFileLoader("wf_build", BUILD)
    spec = importlib.util.spec_from_loader("wf_build", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def run_build(out):
    p = subprocess.run([sys.executable, BUILD, "--out", str(out)], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=120)
    assert p.returncode == 0, p.stdout.decode()
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return run_build(tmp_path_factory.mktemp("first"))


def names(path):
    with zipfile.ZipFile(str(path)) as zf:
        return zf.namelist()


def test_rebuilding_gives_byte_identical_zips_and_trees(built, tmp_path):
    again = run_build(tmp_path / "again")
    for name in ("exchange-workflows-8.3.zip", "exchange-workflows-8.1.zip"):
        assert (built / name).read_bytes() == (again / name).read_bytes(), name
    first = sorted(p.relative_to(built / "project-8.3") for p in (built / "project-8.3").rglob("*"))
    second = sorted(p.relative_to(again / "project-8.3") for p in (again / "project-8.3").rglob("*"))
    assert first == second
    for rel in first:
        if (built / "project-8.3" / rel).is_file():
            assert (built / "project-8.3" / rel).read_bytes() == \
                (again / "project-8.3" / rel).read_bytes(), rel


def test_zip_entries_are_sorted_with_fixed_time_and_mode(built):
    with zipfile.ZipFile(str(built / "exchange-workflows-8.3.zip")) as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert set(i.date_time for i in infos) == {(2000, 1, 1, 0, 0, 0)}
    assert set(i.external_attr >> 16 for i in infos if not i.is_dir()) == {0o100644}
    assert set(i.external_attr >> 16 for i in infos if i.is_dir()) == {0o40755}
    assert "project.json" in [i.filename for i in infos]


@pytest.mark.parametrize("name", ["exchange-workflows-8.3.zip", "exchange-workflows-8.1.zip"])
def test_zips_have_a_directory_entry_for_every_folder(built, name):
    with zipfile.ZipFile(str(built / name)) as zf:
        infos = zf.infolist()
    folders = set(i.filename for i in infos if i.is_dir())
    files = [i.filename for i in infos if not i.is_dir()]
    needed = set()
    for path in files:
        parts = path.split("/")[:-1]
        needed.update("/".join(parts[:d]) + "/" for d in range(1, len(parts) + 1))
    assert needed and folders == needed
    assert all(i.file_size == 0 and i.external_attr & 0x10 for i in infos if i.is_dir())
    assert "ignition/" in folders and "ignition/script-python/" in folders


def test_library_modules_become_code_py_and_packages_stay_folders(built):
    tree = built / "project-8.3"
    scripts = os.path.join(ROOT, "scripts")
    for dirpath, _dirs, files in os.walk(scripts):
        rel = os.path.relpath(dirpath, scripts)
        if rel == "." or "__pycache__" in rel:
            continue
        folder = tree / LIB / rel
        assert folder.is_dir() and not (folder / "code.py").exists(), \
            "package %s must not get a code.py (it would hide its modules)" % rel
        for name in files:
            if name.endswith(".py") and name != "__init__.py":
                module = folder / ("__init__" if name == "_init.py" else name[:-3])
                with open(os.path.join(dirpath, name), "rb") as f:
                    assert (module / "code.py").read_bytes() == f.read(), module
                resource = json.loads((module / "resource.json").read_text())
                assert resource["files"] == ["code.py"] and resource["scope"] == "A"
    # 0.3.6's layout: apps is a folder whose loader is the child script __init__.
    assert (tree / LIB / "exchange/workflows/apps/__init__/code.py").exists()
    assert not (tree / LIB / "exchange/workflows/apps/code.py").exists()


def test_json_resources_are_canonical(built):
    tree = built / "project-8.3"
    for path in tree.rglob("*.json"):
        text = path.read_text(encoding="utf-8")
        assert text == json.dumps(json.loads(text), indent=2, sort_keys=True,
                                  ensure_ascii=False) + "\n", path


def test_83_has_gateway_events_and_81_only_library_and_views(built):
    full = names(built / "exchange-workflows-8.3.zip")
    small = names(built / "exchange-workflows-8.1.zip")
    for event in EVENTS:
        assert event in full and event not in small, event
    assert not [n for n in small if n.startswith(("ignition/startup/", "ignition/shutdown/",
                                                  "ignition/timer/", "ignition/message/"))]
    assert set(small) == set(n for n in full if not n.startswith(
        ("ignition/startup/", "ignition/shutdown/", "ignition/timer/", "ignition/message/")))
    assert any(n.startswith(LIB) for n in small)
    assert any(n.endswith("exchange/workflows/Runs/view.json") for n in small)
    assert not [n for n in full if n.endswith("README.md")]


def test_timer_resource_keeps_its_schedule(built):
    timer = json.loads((built / "project-8.3/ignition/timer/dispatch/resource.json").read_text())
    assert timer["scope"] == "G" and timer["attributes"] == {
        "delay": 1000, "fixedDelay": True, "sharedThread": False, "enabled": True}


def test_startup_and_shutdown_resources_are_enabled(built):
    for kind in ("startup", "shutdown"):
        resource = json.loads((built / "project-8.3/ignition" / kind / "resource.json").read_text())
        assert resource["scope"] == "G" and resource["attributes"].get("enabled") is True, kind


def make_scripts(root, init_source):
    pkg = root / "scripts" / "acme"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text(init_source)
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "mod.py").write_text("def f():\n\treturn 1\n")
    project = root / "project"
    project.mkdir()
    (project / "project.json").write_text('{"title": "t"}')
    return str(root / "scripts"), str(project)


def test_package_init_with_code_fails_the_build(tmp_path):
    build = load_build()
    scripts, project = make_scripts(tmp_path, '"""Docs are fine."""\nVALUE = 1\n')
    with pytest.raises(build.BuildError, match=r"acme/__init__.py:2: a package __init__.py must "):
        build.build(str(tmp_path / "out"), scripts, project)


def test_docstring_only_package_init_builds(tmp_path):
    build = load_build()
    scripts, project = make_scripts(tmp_path, '# comment\n"""Only docs."""\n')
    build.build(str(tmp_path / "out"), scripts, project)
    lib = tmp_path / "out" / "project-8.3" / LIB
    assert (lib / "acme/sub/mod/code.py").exists() and not (lib / "acme/code.py").exists()


def test_module_and_package_of_one_name_fail_the_build(tmp_path):
    build = load_build()
    scripts, project = make_scripts(tmp_path, "")
    (tmp_path / "scripts" / "acme" / "sub.py").write_text("x = 1\n")
    with pytest.raises(build.BuildError, match="both a module and a package"):
        build.build(str(tmp_path / "out"), scripts, project)


def test_an_init_module_becomes_the_package_child_script_named_init(tmp_path):
    build = load_build()
    scripts, project = make_scripts(tmp_path, '"""Docs."""\nfrom acme import _init as __init__\n'
                                              'from acme._init import load  # noqa\n')
    (tmp_path / "scripts" / "acme" / "_init.py").write_text("def load():\n\treturn True\n")
    build.build(str(tmp_path / "out"), scripts, project)
    lib = tmp_path / "out" / "project-8.3" / LIB
    assert (lib / "acme/__init__/code.py").read_text() == "def load():\n\treturn True\n"
    assert not (lib / "acme/_init").exists() and not (lib / "acme/code.py").exists()
    assert json.loads((lib / "acme/__init__/resource.json").read_text())["files"] == ["code.py"]


@pytest.mark.parametrize("init_source,has_init_module", [
    ("from acme._init import load\n", False),   # no _init.py in the package
    ("import os\n", True),                      # anything but a re-export of _init
    ("from acme import _init\n", True),         # _init under its own name
])
def test_package_init_may_only_reexport_its_own_init_module(tmp_path, init_source,
                                                           has_init_module):
    build = load_build()
    scripts, project = make_scripts(tmp_path, init_source)
    if has_init_module:
        (tmp_path / "scripts" / "acme" / "_init.py").write_text("load = None\n")
    with pytest.raises(build.BuildError, match=r"acme/__init__.py:1: a package __init__.py must "):
        build.build(str(tmp_path / "out"), scripts, project)
