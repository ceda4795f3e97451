"""The MariaDB dialect's own behaviour on a real MariaDB server (issue 14);
the engine, steps, commands and scale-out tests also run there (see
tests/conftest.py MARIADB_MODULES and tests/integration/test_scaleout.py)."""


def test_session_settings_lock_waits_partition_uniqueness_and_skipped_duplicates(gwsim,
                                                                                 make_db_url):
    r = gwsim.run("mariadb_dialect.py", make_db_url("mariadb"), timeout=180)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
