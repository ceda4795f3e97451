"""Issue 12 item 2: deadlines exclude time spent HELD, through tools/gwsim
on real Jython, on SQLite and PostgreSQL. The checks are listed in
tests/scenarios/held_time.py."""
import json
import time

from tests.support.gwsim import passed


def test_a_run_held_past_its_timeout_and_resumed_succeeds(gwsim, db_url):
    passed(gwsim.run("held_time.py", db_url, timeout=180))


def test_held_time_survives_a_sigkill_while_held(gwsim, db_url):
    gw = gwsim.start("held_time.py", db_url, args=["crash-start"])
    ready = gw.wait_for(r"^READY (.*)$", timeout=90)
    gw.kill()  # SIGKILL while the run is HELD
    gw.wait(10)
    before = json.loads(ready.group(1))
    # The gateway stays down until the run's original deadline has passed:
    # the outage must count as held time, not only the hold before it.
    time.sleep(max(0.0, before["deadlineMs"] / 1000.0 - time.time()) + 1.0)
    passed(gwsim.run("held_time.py", db_url, args=["crash-check", ready.group(1)],
                  gateway_name=gw.gateway_name, timeout=180))
