"""The durable engine and its service API, through tools/gwsim on real Jython,
on SQLite and PostgreSQL. Each scenario checks a group of behaviours and
fails with the list of checks that did not hold."""
import json
import re



def _run(gwsim, scenario, db_url, timeout=180, **kw):
    r = gwsim.run(scenario, db_url, timeout=timeout, **kw)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
    return r


def test_documented_calls_and_examples_work_as_written(gwsim, db_url):
    _run(gwsim, "engine_api.py", db_url)


def test_commands_retries_and_timeouts(gwsim, db_url):
    _run(gwsim, "engine_commands.py", db_url)


def test_partitions_dedup_priority_concurrency_lag_and_burst(gwsim, db_url):
    _run(gwsim, "engine_queues.py", db_url)


def test_project_save_in_the_middle_of_running_workflows(gwsim, db_url):
    _run(gwsim, "engine_reload.py", db_url)


def test_sigkill_mid_workflow_then_restart_resumes_without_repeating_steps(gwsim, db_url):
    gw = gwsim.start("engine_crash_start.py", db_url)
    ready = gw.wait_for(r"^READY (.*)$", timeout=90)
    gw.kill()  # SIGKILL, while no step is executing
    assert json.loads(ready.group(1))["stepsDirect"] == 1  # the direct-start path is covered
    gw.wait(10)
    r = _run(gwsim, "engine_crash_check.py", db_url, args=[ready.group(1)],
             gateway_name=gw.gateway_name)
    assert r.result["restartDelayMs"] > 0


def test_a_workflow_that_keeps_crashing_its_gateway_ends_dead_letter(gwsim, db_url):
    name = gwsim.new_gateway_name()
    first = gwsim.run("engine_crashloop.py", db_url, args=["start"], gateway_name=name, timeout=60)
    assert first.returncode == 9, first.describe()  # the workflow halted the JVM
    wid = re.search(r"^STARTED (\S+)", first.stdout, re.M).group(1)
    statuses = []
    for _ in range(6):
        r = gwsim.run("engine_crashloop.py", db_url, args=[wid],
                      gateway_name=name, timeout=60)
        if r.returncode == 9:
            statuses.append("halted")
            continue
        r.assert_ok()
        statuses.append(r.result["status"])
        if r.result["status"] == "DEAD_LETTER":
            assert r.result["error"]["type"] == "MaxRecoveryAttemptsExceeded", r.describe()
            break
    assert statuses[-1] == "DEAD_LETTER", statuses
    assert statuses.count("halted") <= 3, statuses


def test_bad_input_to_every_service_function_gets_a_clear_code(gwsim, db_url):
    _run(gwsim, "engine_badinput.py", db_url)


def test_admin_maintenance_and_retention_live_in_the_database(gwsim, db_url):
    _run(gwsim, "engine_admin.py", db_url)


def test_start_with_a_free_worker_runs_directly_unless_the_queue_rules_apply(gwsim, db_url):
    r = _run(gwsim, "engine_direct.py", db_url)
    assert r.result["directStarts"] >= 2, r.describe()
