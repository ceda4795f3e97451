"""Sticky interrupts and size limits (issue 11) through tools/gwsim on real
Jython, on SQLite and PostgreSQL: see tests/scenarios/safety_sticky.py."""


def test_interrupts_stick_whatever_the_workflow_catches_and_sizes_are_limited(gwsim, db_url):
    # STOP, cancel and a timeout of workflows that catch everything (bare except,
    # except java.lang.Throwable, except BaseException) end STOPPED / CANCELLED /
    # ERROR with at most one side effect after the command; HOLD/RESUME of such a
    # workflow, and a HOLD whose park fails, still park; a step body that swallows
    # the interrupt of its wait records nothing; oversized step outputs, workflow
    # outputs, events, stream values and progress are refused with clear errors.
    r = gwsim.run("safety_sticky.py", db_url, timeout=240)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), (
        "failed checks:\n  %s\n%s" % ("\n  ".join(r.result.get("failures") or []), r.tail(60)))
