"""Secrets kept out of errors, answers and logs; bounded resources (issue 11,
items 7 and 8), through tools/gwsim on SQLite and PostgreSQL. The scenario
(tests/scenarios/safety_secrets.py) checks the answers and tables; this
wrapper checks every line the gateway wrote, logged at DEBUG."""

# The planted values, as written in safety_secrets.py and secretflows.py.
SECRETS = ("sEcReT-input-4f9a1c", "sEcReT-literal-77b2e0", "sEcReT-sqlarg-13d5ff")


def test_planted_secrets_appear_in_no_answer_table_or_log_line(gwsim, db_url, db_kind):
    r = gwsim.run("safety_secrets.py", db_url, timeout=300, log_level="exchange.workflows=DEBUG")
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
    assert r.result["answersChecked"] > 40 and r.result["tablesScanned"] >= 9, r.result
    output = r.stdout + r.stderr
    leaked = [s for s in SECRETS if s in output]
    assert not leaked, "planted secrets in the gateway's output: %s\n%s" % (leaked, r.describe(80))
    # The scenario's failures were logged (DEBUG shows the retried steps)...
    assert "sec.refuse attempt 1 of 2 failed" in r.stderr, r.describe(80)
    # The drivers' own messages were kept (root cause), their echoed values not.
    errors = r.result["sqlStepErrors"]
    assert any("constraint" in e.lower() for e in errors), errors
    if db_kind == "postgresql":  # PostgreSQL quotes the value; Detail: Key (k)=(...) too
        assert any('invalid input syntax for type integer: "***"' in e for e in errors), errors
    assert "sec_missing_table" in r.result["directSqlError"], r.result
    # ... and a NaN retention policy found stored is an error in the log, not "keep".
    assert "is NOT applied: the stored policy is invalid" in r.stderr, r.describe(80)
