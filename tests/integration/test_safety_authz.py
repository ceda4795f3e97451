"""Issue 11 items 5-6: authorization with Ignition's own identity and the
audit trail, through tools/gwsim (whose Perspective session registry answers
system.perspective.isAuthorized and getSessionInfo), on SQLite and PostgreSQL.
The scenario's checks are listed in tests/scenarios/safety_authz.py."""


def test_sessions_are_authorized_by_policy_and_every_operator_action_is_audited(gwsim, db_url):
    r = gwsim.run("safety_authz.py", db_url, timeout=300)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
