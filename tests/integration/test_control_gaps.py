"""Issue 12 gaps in the record of operator actions, through tools/gwsim on
real Jython, on SQLite and PostgreSQL: service.resume keeps the steps of the
handlers that ran (and exportRun shows them), getTransitions lists the
status changes an operator caused without a handler (a queued run's STOP,
a cancel, a resume, a fork), getCommands says what each command led to,
and a run never commanded writes no transition. The checks are listed in
tests/scenarios/control_gaps.py."""


def test_operator_actions_are_on_the_run_record(gwsim, db_url):
    r = gwsim.run("control_gaps.py", db_url, timeout=300)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
