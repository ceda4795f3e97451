"""ISA-88 commands without handlers (issue 12 piece C) through tools/gwsim
on real Jython, on SQLite and PostgreSQL: ABORT and ABORTED, RESTART as
RESUME, case-insensitive commands, STOP unchanged, the policy actions."""


def test_abort_restart_and_case_insensitive_commands(gwsim, db_url):
    r = gwsim.run("control_commands.py", db_url, timeout=240)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
