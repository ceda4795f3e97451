"""Issue 13 P4: ignition-workflows 0.3.6's workflow-side rt methods (events,
streams and progress inside steps, checkCancelled/isCancelled/checkTimeout
inside steps, send/recv), through tools/gwsim on SQLite and PostgreSQL;
a step killed mid-way by SIGKILL runs again without duplicating its writes,
and a finished step is replayed without writing again."""
import json

from tests.support.gwsim import passed

SCENARIO = "upstream_runtime.py"


def test_in_step_writes_cancel_timeout_and_messages(gwsim, db_url):
    passed(gwsim.run(SCENARIO, db_url, timeout=240))


def test_a_step_killed_mid_way_writes_once_and_a_replay_writes_nothing(gwsim, db_url):
    gw = gwsim.start(SCENARIO, db_url, args=["start"])
    ready = gw.wait_for(r"^READY (.*)$", timeout=120)
    gw.kill()  # SIGKILL inside the step, after its writes
    gw.wait(10)
    second = gwsim.start(SCENARIO, db_url, args=["middle", ready.group(1)],
                         gateway_name=gw.gateway_name)
    again = second.wait_for(r"^(READY2 .*|RESULT .*)$", timeout=120)
    assert again.group(1).startswith("READY2 "), second.tail()
    second.kill()  # SIGKILL in the durable sleep after the step
    second.wait(10)
    passed(gwsim.run(SCENARIO, db_url, args=["check", again.group(1)[len("READY2 "):]],
                  gateway_name=gw.gateway_name, timeout=180))
    assert json.loads(ready.group(1))["crashy"]
