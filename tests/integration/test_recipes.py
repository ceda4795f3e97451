"""Issue 13 item 3: recipes (parameter templates and enums) through
ignition-workflows 0.3.6's api.params calls, via tools/gwsim on real Jython,
on SQLite and PostgreSQL. The checks are listed in tests/scenarios/recipes.py."""


def test_templates_and_enums_are_versioned_checked_at_save_and_recorded_with_the_run(gwsim, db_url):
    r = gwsim.run("recipes.py", db_url, timeout=300)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
