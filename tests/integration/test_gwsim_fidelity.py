"""gwsim fidelity for what real exported projects call (tests/scenarios/gwsim_fidelity.py):
named queries, stored procedures, system.perspective's gateway functions, system.dataset's
edits; SQLite connections configured only by their URL; and the loud end of a run that called a
gateway function gwsim does not emulate (exit 97 and a summary naming the call)."""

import os

from tests.conftest import SQLITE_URL_SETTINGS


def _project(repo_root):
    return os.path.join(repo_root, "tests", "fixtures", "gwsim_project")


def test_gwsim_fidelity(db_url, gwsim, repo_root):
    r = gwsim.run("gwsim_fidelity.py", db_url, args=["all"], project=_project(repo_root), timeout=240)
    r.assert_ok()
    assert r.result["failures"] == 0, r.describe()


def test_sqlite_gets_only_what_its_url_asks_for(gwsim, repo_root, tmp_path):
    # No settings in the URL: the xerial driver's defaults, as on a gateway (rollback journal,
    # 3000 ms busy timeout); gwsim adds nothing of its own.
    plain = "jdbc:sqlite:%s" % (tmp_path / "plain.sqlite")
    r = gwsim.run("gwsim_fidelity.py", plain, args=["sqlite-defaults", "delete", "3000"],
                  project=_project(repo_root))
    r.assert_ok()
    # What the tests ask for in their URLs, as a site would in its Connect URL.
    tuned = "jdbc:sqlite:%s?%s" % (tmp_path / "tuned.sqlite", SQLITE_URL_SETTINGS)
    r = gwsim.run("gwsim_fidelity.py", tuned, args=["sqlite-defaults", "wal", "30000"],
                  project=_project(repo_root))
    r.assert_ok()


def test_not_emulated_call_swallowed_by_bare_except_exits_97(gwsim, make_db_url):
    r = gwsim.run("gwsim_notemulated.py", make_db_url("sqlite"), args=["bare"])
    assert r.returncode == 97, r.describe()
    assert r.result == {"swallowed": True}, r.describe()
    assert "does NOT emulate" in r.stderr and "system.opc.readValue  (1 call(s))" in r.stderr, r.describe()


def test_not_emulated_call_escapes_except_exception(gwsim, make_db_url):
    r = gwsim.run("gwsim_notemulated.py", make_db_url("sqlite"), args=["exception"])
    assert r.returncode == 1, r.describe()
    assert r.result is None, r.describe()  # the script died at the call
    assert "NotEmulatedError: system.opc.readValue is not emulated" in r.stderr, r.describe()
    assert "system.opc.readValue  (1 call(s))" in r.stderr, r.describe()
