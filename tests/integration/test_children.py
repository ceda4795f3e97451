"""Child workflows and parallel branches (issue 15 items 1 and 2) through
tools/gwsim on real Jython, on SQLite and PostgreSQL, including a SIGKILL
while the children run."""
import json


def test_children_outputs_failures_branches_and_commands(gwsim, db_url):
    r = gwsim.run("children.py", db_url, timeout=300)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()


def test_children_started_once_and_joined_across_a_sigkill(gwsim, db_url):
    gw = gwsim.start("children.py", db_url, args=["crash-start"])
    ready = gw.wait_for(r"^READY (.*)$", timeout=120)
    gw.kill()  # SIGKILL while the three children and their parent run
    gw.wait(10)
    r = gwsim.run("children.py", db_url, args=["crash-check", ready.group(1)],
                  gateway_name=gw.gateway_name, timeout=240)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
    assert json.loads(ready.group(1))["parent"]
