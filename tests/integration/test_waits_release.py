"""Issue 12 item 5: waits that hold no thread, through tools/gwsim on real
Jython, on SQLite and PostgreSQL. The checks are listed in
tests/scenarios/waits_release.py; a scenario exits non-zero when any of
them failed (wfkit.finish), so assert_ok() is the whole verdict."""


def test_released_waits_hold_no_thread_and_wake_on_their_condition(gwsim, db_url):
    gwsim.run("waits_release.py", db_url, timeout=400).assert_ok()


def test_released_runs_finish_after_a_sigkill(gwsim, db_url):
    gw = gwsim.start("waits_release.py", db_url, args=["crash-start"])
    ready = gw.wait_for(r"^READY (.*)$", timeout=150)
    gw.kill()  # SIGKILL: four runs released, one being woken
    gw.wait(10)
    gwsim.run("waits_release.py", db_url, args=["crash-check", ready.group(1)],
              gateway_name=gw.gateway_name, timeout=300).assert_ok()


def test_a_dead_gateways_released_runs_are_woken_by_another_postgresql(gwsim, make_db_url):
    db_url = make_db_url("postgresql")  # two gateways share one database
    a = gwsim.start("waits_release.py", db_url, args=["takeover-start"])
    ready = a.wait_for(r"^READY (.*)$", timeout=150)
    a.kill()  # its lease (4 s) runs out; its released runs have no executor
    a.wait(10)
    gwsim.run("waits_release.py", db_url, args=["takeover-check", ready.group(1)],
              timeout=300).assert_ok()
