"""Issue 13 items 1-2: ignition-workflows 0.3.6's maintenance calls
(enterMaintenance, exitMaintenance, getMaintenanceStatus, swapIfDrained) and
the admin-style rt.* methods of getWorkflows(), called with its argument
styles, through tools/gwsim on SQLite and PostgreSQL. The checks are listed
in tests/scenarios/upstream_admin.py."""


def test_upstream_maintenance_calls_and_rt_admin_methods(gwsim, db_url):
    r = gwsim.run("upstream_admin.py", db_url, timeout=300)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
