"""Issue 11 items 3-4: the envelope contract for any call, and idempotent
starts, through tools/gwsim on real Jython, on SQLite and PostgreSQL."""


def test_every_public_function_answers_an_envelope_for_any_call_and_starts_are_idempotent(
        gwsim, db_url):
    r = gwsim.run("safety_contract.py", db_url, timeout=240)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
