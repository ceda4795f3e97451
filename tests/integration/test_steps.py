"""The built-in step library (tags, http, db, wait) through the simulated gateway, on SQLite
and PostgreSQL. Each scenario groups many checks in one gateway run (a JVM start costs
seconds) and reports every failed check at once; see tests/scenarios/steps_*.py."""

SECRET_LOGS = "exchange.workflows=DEBUG"


def _assert_all_checks_passed(r):
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), (
        "failed checks:\n  %s\n%s" % ("\n  ".join(r.result.get("failures") or []), r.tail(60)))


def test_steps_succeed_fail_with_typed_errors_retry_and_keep_secrets_out(db_url, gwsim):
    # Success path of every step; each failure path with its error type in getWorkflow and
    # getSteps; attempts recorded for retried steps; tag-typed comparisons; and no credential
    # in any run, checkpoint or (DEBUG) log line.
    r = gwsim.run("steps_library.py", db_url, timeout=150, log_level=SECRET_LOGS)
    _assert_all_checks_passed(r)
    secret = r.result["facts"]["secret"]
    assert secret not in r.stderr, "a credential reached the gateway log"
    assert "abc123secret" not in r.stderr, "a response cookie reached the gateway log"


def test_waits_obey_hold_resume_stop_cancel_and_confirm_against_devices(db_url, gwsim):
    # A long until_tag_equals: HOLD shows HELD and the remaining wait resumes after RESUME,
    # STOP ends STOPPED and cancel frees the worker within about one poll, a workflow timeout
    # ends it; write_confirm succeeds on a slow actuator and fails with WriteNotConfirmed on
    # a jammed one.
    r = gwsim.run("steps_control.py", db_url, timeout=150)
    _assert_all_checks_passed(r)
