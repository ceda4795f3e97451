"""Each module of scripts/ imported first, under real Jython (tools/gwsim)."""


def test_every_module_can_be_imported_first(gwsim, make_db_url):
    r = gwsim.run("import_order.py", make_db_url("sqlite"), timeout=180)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
