"""Issue 12 item 4: operator prompts (rt.ask, respond, listPrompts) and
messages (service.send, rt.send/rt.recv) through tools/gwsim on real
Jython, on SQLite and PostgreSQL. The checks are listed in
tests/scenarios/prompts.py.

A scenario exits non-zero when any of its checks failed (wfkit.finish), so
assert_ok() is the whole verdict."""


def test_prompts_answers_choices_timeouts_hold_stop_cancel_and_messages(gwsim, db_url):
    gwsim.run("prompts.py", db_url, timeout=240).assert_ok()


def test_prompts_and_messages_across_a_sigkill(gwsim, db_url):
    gw = gwsim.start("prompts.py", db_url, args=["crash-start"])
    ready = gw.wait_for(r"^READY (.*)$", timeout=120)
    gw.kill()  # SIGKILL: one run waits for its answer, three are past an answer, a receive, a send
    gw.wait(10)
    gwsim.run("prompts.py", db_url, args=["crash-check", ready.group(1)],
              gateway_name=gw.gateway_name, timeout=240).assert_ok()


def test_a_prompt_answered_from_another_gateway_postgresql(gwsim, make_db_url):
    db_url = make_db_url("postgresql")  # two gateways share one database: PostgreSQL only
    host = gwsim.start("prompts.py", db_url, args=["host"])
    try:
        ready = host.wait_for(r"^READY (.*)$", timeout=120)
        gwsim.run("prompts.py", db_url, args=["answer", ready.group(1)], timeout=120).assert_ok()
        result = host.wait_for_result(timeout=150)
        assert result.get("ok") is True and not result.get("failures"), host.tail()
    finally:
        host.stop()
