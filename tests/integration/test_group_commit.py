"""Group commit of step checkpoints (engine/committer.py), switched on with
its JVM property, through tools/gwsim on real Jython and each database:
shared statements keep every run's guard, a poison record fails only its
own write, and a SIGKILL while many runs checkpoint loses no committed step
and repeats none."""
import json

from tests.support.gwsim import TEST_JAVA_OPTS, passed

GROUP_COMMIT = {"GWSIM_JAVA_OPTS": TEST_JAVA_OPTS + " -Dexchange.workflows.groupCommit=on"}


def test_shared_checkpoints_keep_each_runs_guard_and_isolate_a_poison_record(gwsim, db_url):
    r = passed(gwsim.run("group_commit.py", db_url, args=["batch"], timeout=300, env=GROUP_COMMIT))
    assert r.result["records"] >= 320, r.describe()


def test_sigkill_while_many_runs_checkpoint_loses_and_repeats_no_committed_step(gwsim, db_url):
    gw = gwsim.start("group_commit.py", db_url, args=["crash-start"], env=GROUP_COMMIT)
    ready = gw.wait_for(r"^READY (.*)$", timeout=120)
    gw.kill()  # SIGKILL while the runs checkpoint
    gw.wait(10)
    r = passed(gwsim.run("group_commit.py", db_url, args=["crash-check", ready.group(1)],
                      gateway_name=gw.gateway_name, timeout=400, env=GROUP_COMMIT))
    assert len(json.loads(ready.group(1))["wids"]) == 24
    # The kill came while runs were between their first and last step.
    assert r.result["runsAcrossTheKill"] >= 1, r.describe()
