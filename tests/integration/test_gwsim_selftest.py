"""The simulated gateway itself: its self-test scenario on both databases, and
the launcher contract (exit status, tracebacks, PID = JVM, no orphans)."""

import os
import signal
import subprocess

import pytest

from tests.support import procs
from tests.support.gwsim import GwsimError


def test_gwsim_selftest(db_url, gwsim, repo_root):
    project = os.path.join(repo_root, "tests", "fixtures", "gwsim_project")
    r = gwsim.run("gwsim_selftest.py", db_url, project=project, timeout=240)
    r.assert_ok()
    assert r.result.get("ok", True) is not False, r.describe()
    assert not r.result.get("failures"), r.describe()
    assert r.result.get("gateway") == r.gateway_name, r.describe()


# -- launcher contract (database-independent: SQLite only) -------------------

@pytest.fixture
def sqlite_url(make_db_url):
    return make_db_url("sqlite")


def test_exit_status_propagates(gwsim, sqlite_url):
    r = gwsim.run("harness_exit.py", sqlite_url, args=["3"])
    assert r.returncode == 3, r.describe()
    assert r.result == {"exit": 3}


def test_args_and_last_result_line(gwsim, sqlite_url):
    r = gwsim.run("harness_result.py", sqlite_url, args=["a b", "2"], check=True)
    assert r.results[0] == {"first": True}
    assert r.result["argv"] == ["a b", "2"], r.describe()
    assert r.result["jython"] is True
    assert r.result["version"] == [2, 7]
    assert r.result["has_system"] is True


def test_uncaught_exception_exits_1_with_traceback(gwsim, sqlite_url):
    r = gwsim.run("harness_raise.py", sqlite_url)
    assert r.returncode == 1, r.describe()
    assert "Traceback" in r.stderr, r.describe()
    assert "ValueError: harness boom" in r.stderr, r.describe()
    assert "fail_deeply" in r.stderr, r.describe()


def _wait_for_java(pid, timeout=30):
    """The launcher execs the JVM: its PID becomes `java`."""
    import time

    deadline = time.time() + timeout
    while time.time() < deadline:
        if procs.comm(pid) == "java":
            return True
        if not procs.is_alive(pid):
            return False
        time.sleep(0.05)
    return False


def test_sigkill_of_gateway_pid_leaves_no_process(gwsim, sqlite_url):
    gw = gwsim.start("harness_ready.py", sqlite_url)
    gw.wait_for(r"^HARNESS READY", timeout=120)
    assert _wait_for_java(gw.pid), "gateway PID %d is %r, not the JVM" % (
        gw.pid, procs.comm(gw.pid))
    started = procs.start_time(gw.pid)
    tree = [(gw.pid, started)] + procs.descendants(gw.pid)
    group = procs.group_members(gw.pgid)

    assert gw.kill() == -signal.SIGKILL

    survivors = procs.wait_gone(tree + [(p, procs.start_time(p)) for p in group], timeout=10)
    assert not survivors, "still running after SIGKILL of %d: %s" % (
        gw.pid, [(p, procs.cmdline(p)) for p, _ in survivors])
    assert not procs.is_alive(gw.pid, started)
    assert not procs.children(gw.pid)
    assert not procs.group_members(gw.pgid)


def test_sigterm_stops_gateway(gwsim, sqlite_url):
    gw = gwsim.start("harness_ready.py", sqlite_url)
    gw.wait_for(r"^HARNESS READY", timeout=120)
    assert gw.alive
    gw.stop(timeout=60)
    assert not gw.alive
    assert not procs.group_members(gw.pgid)


def test_run_timeout_kills_the_gateway(gwsim, sqlite_url):
    with pytest.raises(GwsimError) as info:
        gwsim.run("harness_sleep.py", sqlite_url, timeout=15)
    assert "timed out" in str(info.value)
    pid = gwsim.started_pids[-1]
    assert not procs.is_alive(pid)
    assert not procs.group_members(pid)


def test_gwsim_launcher_is_executable(repo_root):
    path = os.path.join(repo_root, "tools", "gwsim")
    assert os.access(path, os.X_OK)
    with open(path) as f:
        assert f.readline().startswith("#!")
    # bash -n: the launcher parses
    assert subprocess.run(["bash", "-n", path]).returncode == 0
