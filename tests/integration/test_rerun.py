"""Issue 12 item 3: resume and fork of ended runs, through tools/gwsim on
real Jython, on SQLite and PostgreSQL. The checks are listed in
tests/scenarios/rerun.py."""


def test_resume_replays_finished_steps_and_fork_executes_from_the_chosen_step(gwsim, db_url):
    r = gwsim.run("rerun.py", db_url, timeout=300)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
