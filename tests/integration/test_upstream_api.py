"""Issue 13 item 2: the service functions ignition-workflows 0.3.6 also had,
called with its argument styles, through tools/gwsim on SQLite and PostgreSQL."""


def test_upstream_service_calls_positional_none_maintenance_codes_and_data_keys(gwsim, db_url):
    r = gwsim.run("upstream_api.py", db_url, timeout=240)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
