"""Step helpers in the upstream (ignition-workflows 0.3.6) result style, through tools/gwsim on
SQLite and PostgreSQL: upstream keys and {"ok": False, ...} instead of typed errors, selected
per module, per call or by the workflow's profile; and a replay after a crash returns the shapes
recorded before it, whatever the module's setting is by then. See tests/scenarios/steps_upstream.py.
The native style is covered, unchanged, by test_steps.py."""


def _assert_all_checks_passed(r):
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), (
        "failed checks:\n  %s\n%s" % ("\n  ".join(r.result.get("failures") or []), r.tail(60)))


def test_upstream_style_returns_upstream_keys_and_ok_false_instead_of_raising(db_url, gwsim):
    r = gwsim.run("steps_upstream.py", db_url, args=["main"], timeout=150)
    _assert_all_checks_passed(r)


def test_replay_after_a_crash_returns_the_recorded_result_style(db_url, gwsim):
    gw = gwsim.start("steps_upstream.py", db_url, args=["crash"])
    ready = gw.wait_for(r"^READY (\{.*)$", timeout=90)
    gw.kill()  # SIGKILL while the run sleeps: its first steps are recorded in upstream style
    gw.wait(10)
    r = gwsim.run("steps_upstream.py", db_url, args=["replay", ready.group(1)], timeout=120,
                  gateway_name=gw.gateway_name)
    _assert_all_checks_passed(r)
