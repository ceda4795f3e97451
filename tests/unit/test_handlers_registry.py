"""Declaring command handlers (docs/control.md "Declaring handlers"), pure
logic on CPython 3: the keyword and decorator forms, the checks made when a
workflow module loads, and the secret-masking wrapper handlers share with
the workflow function."""
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from exchange.workflows import bootstrap  # noqa: E402
from exchange.workflows.core import masking  # noqa: E402
from exchange.workflows.core.errors import InvalidArguments  # noqa: E402
from exchange.workflows.engine import context, control, registry  # noqa: E402

PREFIX = "t.unit.handlers."


@pytest.fixture(autouse=True)
def _clean_registry():
    yield
    for name in registry.names():
        if name.startswith(PREFIX):
            registry.unregister(name)


def close_valves(line, recipe):
    return ("closed", line)


def reopen(line, recipe):
    return ("reopened", line)


def drain(**kwargs):
    return ("drained", kwargs["line"])


def test_handlers_declared_as_keywords_are_kept_on_the_definition():
    @bootstrap.workflow(name=PREFIX + "kw", onHold=close_valves, onResume=reopen, onStop=drain,
                        onAbort=close_valves)
    def mix(line, recipe):
        return line

    wdef = registry.get(PREFIX + "kw")
    assert wdef.handlers == registry.Handlers(close_valves, reopen, drain, close_valves)
    assert wdef.handlers.declared() == control.HANDLER_NAMES
    assert wdef.handlers.onStop(line="L1", recipe="R") == ("drained", "L1")
    assert wdef.abortOnError is True and wdef.timeoutIncludesHeld is False


def test_a_workflow_without_handlers_declares_none_and_keeps_the_defaults():
    @registry.workflow(name=PREFIX + "plain")
    def plain(line):
        return line

    wdef = registry.get(PREFIX + "plain")
    assert wdef.handlers == registry.NO_HANDLERS and wdef.handlers.declared() == ()
    assert control.decide("RUNNING", "HOLD", declared=wdef.handlers.declared()) == (
        control.TRANSITION, "HELD", None)


def test_the_decorator_form_declares_a_handler_and_returns_the_function_unchanged():
    @registry.workflow(name=PREFIX + "deco", abortOnError=False, timeoutIncludesHeld=True)
    def mix(line, recipe):
        return line

    @mix.onHold
    def closeAll(line, recipe):
        return "closed"

    @mix.onAbort
    def safe(line, **kwargs):
        return "safe"

    wdef = registry.get(PREFIX + "deco")
    assert closeAll(line="L", recipe="R") == "closed"
    assert wdef.handlers.onHold is closeAll and wdef.handlers.onAbort is safe
    assert wdef.handlers.declared() == ("onHold", "onAbort")
    assert wdef.abortOnError is False and wdef.timeoutIncludesHeld is True
    assert control.failure(wdef.abortOnError, wdef.handlers.declared()).toStatus == "ERROR"


def test_one_function_may_serve_several_handlers():
    @registry.workflow(name=PREFIX + "shared", onHold=close_valves)
    def mix(line, recipe):
        return line

    mix.onAbort(close_valves)
    assert registry.get(PREFIX + "shared").handlers.declared() == ("onHold", "onAbort")


def test_a_second_declaration_of_a_handler_is_refused_and_unregisters_the_workflow():
    @registry.workflow(name=PREFIX + "twice", onHold=close_valves)
    def mix(line, recipe):
        return line

    with pytest.raises(InvalidArguments) as caught:
        mix.onHold(reopen)
    assert "onHold is declared twice" in str(caught.value)
    # The module's load fails; no run may execute it without its handler.
    assert registry.get(PREFIX + "twice") is None

    @registry.workflow(name=PREFIX + "twice2")
    def mix2(line, recipe):
        return line

    mix2.onStop(drain)
    with pytest.raises(InvalidArguments):
        mix2.onStop(drain)


@pytest.mark.parametrize("handler,problem", [
    (lambda line: None, "does not take the input(s) recipe"),
    (lambda line, recipe, operator, shift=None: None, "requires operator"),
    (lambda line, recipe, shift: None, "requires shift"),
    ("close_valves", "is not a function"),
    (max, "cannot be read"),
])
def test_a_handler_that_cannot_take_the_inputs_is_refused_at_load(handler, problem):
    with pytest.raises(InvalidArguments) as caught:
        @registry.workflow(name=PREFIX + "bad", onHold=handler)
        def mix(line, recipe, shift=1):
            return line
    assert problem in str(caught.value) and "onHold" in str(caught.value)
    assert registry.get(PREFIX + "bad") is None


def test_a_handler_may_take_more_inputs_with_defaults_or_any_with_kwargs():
    def withDefault(line, recipe, shift=None, extra=0):
        return shift

    class Unit(object):
        def hold(self, line, recipe, shift=None):
            return line

    @registry.workflow(name=PREFIX + "ok", onHold=withDefault, onResume=drain, onStop=Unit().hold)
    def mix(line, recipe, shift=None):
        return line

    assert registry.get(PREFIX + "ok").handlers.declared() == ("onHold", "onResume", "onStop")


def test_a_workflow_taking_any_input_needs_handlers_that_take_any_input():
    @registry.workflow(name=PREFIX + "any", onHold=drain)
    def anyInputs(**kwargs):
        return kwargs

    with pytest.raises(InvalidArguments) as caught:
        anyInputs.onStop(close_valves)
    assert "must take **kwargs" in str(caught.value)


def test_misspelled_handler_names_and_bad_flags_are_refused():
    with pytest.raises(InvalidArguments) as caught:
        registry.workflow(name=PREFIX + "typo", onhold=close_valves)
    assert "'onHold'" in str(caught.value)
    with pytest.raises(InvalidArguments):
        registry.workflow(name=PREFIX + "typo", AbortOnError=False)
    with pytest.raises(InvalidArguments):
        @registry.workflow(name=PREFIX + "flag", abortOnError="no")
        def mix(line, recipe):
            return line
    with pytest.raises(InvalidArguments):
        registry.WorkflowDef(PREFIX + "name", close_valves, {}).setHandler("onPause", reopen)


class FakeContext(object):
    secretValues = None


def test_handlers_of_a_workflow_with_secret_inputs_mask_them_like_the_workflow(monkeypatch):
    ctx = FakeContext()
    monkeypatch.setattr(context, "current", lambda: ctx)

    def logout(user, password):
        return ("logged out", user)

    @registry.workflow(name=PREFIX + "secret", secretInputs=["password"], onHold=logout)
    def login(user, password):
        return user

    wdef = registry.get(PREFIX + "secret")
    assert wdef.handlers.onHold is not logout
    inputs = {"user": "op", "password": "pw-Xk39-secret"}
    assert wdef.handlers.onHold(**inputs) == ("logged out", "op")
    assert ctx.secretValues == masking.secretTexts(inputs, ["password"])
