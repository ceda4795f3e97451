"""Issue 12 item 1: command handlers (onHold, onResume, onStop, onAbort) run
exactly once per transition, through tools/gwsim on real Jython, on SQLite
and PostgreSQL, across a SIGKILL during a handler too. The checks are
listed in tests/scenarios/control_handlers.py."""
import pytest

from tests.support.gwsim import passed


def test_handlers_run_once_per_transition(gwsim, db_url):
    passed(gwsim.run("control_handlers.py", db_url, timeout=300))


@pytest.mark.parametrize("cmd", ["HOLD", "STOP", "ABORT"])
def test_a_sigkill_during_a_handler_resumes_the_handler(gwsim, db_url, cmd):
    gw = gwsim.start("control_handlers.py", db_url, args=["crash-start", cmd])
    ready = gw.wait_for(r"^READY (.*)$", timeout=120)
    gw.kill()  # SIGKILL during the handler, between its first step and its last
    gw.wait(10)
    passed(gwsim.run("control_handlers.py", db_url, args=["crash-check", ready.group(1)],
                  gateway_name=gw.gateway_name, timeout=240))


def test_another_gateway_takes_over_a_run_whose_handler_was_running(gwsim, db_url):
    gw = gwsim.start("control_handlers.py", db_url, args=["crash-start", "STOP", "takeover"])
    ready = gw.wait_for(r"^READY (.*)$", timeout=120)
    gw.kill()  # SIGKILL during onStop; another gateway (another name) takes the run over
    gw.wait(10)
    passed(gwsim.run("control_handlers.py", db_url, args=["crash-check", ready.group(1)],
                  timeout=240))
