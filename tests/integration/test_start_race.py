"""A HOLD sent the moment a run starts directly is taken even while
recovery runs without pause (tools/gwsim, real Jython, SQLite and
PostgreSQL)."""


def test_hold_right_after_a_direct_start_races_recovery(gwsim, db_url):
    r = gwsim.run("start_race.py", db_url, timeout=240)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
