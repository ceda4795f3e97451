"""Issue 13 P5: rt.recvCommand's arbitration through tools/gwsim on SQLite
and PostgreSQL: 0.3.6's answer ({cmd, message, priority}) and state
filtering for upstream-profile workflows (or arbitrate=True), refused
commands marked dropped instead of lost, allowed lower-priority ones left
waiting, and a replay after SIGKILL that returns the recorded choice."""
import json

from tests.support.gwsim import passed

SCENARIO = "upstream_commands.py"


def test_arbitration_filtering_drops_and_the_native_answer(gwsim, db_url):
    passed(gwsim.run(SCENARIO, db_url, timeout=300))


def test_a_replay_after_sigkill_returns_the_recorded_choice(gwsim, db_url):
    gw = gwsim.start(SCENARIO, db_url, args=["start"])
    ready = gw.wait_for(r"^READY (.*)$", timeout=120)
    gw.kill()  # SIGKILL in the nap after the recorded choice
    gw.wait(10)
    facts = json.loads(ready.group(1))
    passed(gwsim.run(SCENARIO, db_url, args=["check", ready.group(1)],
                  gateway_name=gw.gateway_name, timeout=240))
    assert facts["choice"]["cmd"] == "HOLD"
