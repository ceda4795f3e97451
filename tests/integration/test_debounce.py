"""Debounced requests (issue 15 item 4) through tools/gwsim on real
Jython, on SQLite and PostgreSQL."""


def test_debounced_requests_collapse_into_one_run(gwsim, db_url):
    r = gwsim.run("debounce.py", db_url, timeout=240)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
