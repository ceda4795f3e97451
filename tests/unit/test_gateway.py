"""api/scope.py and api/gateway.py on CPython: scope detection, the
NO_GATEWAY_RUNTIME refusal and the message-handler router's validation. (Routing through a real
sendRequest is tested in the simulator: tests/scenarios/project_scope.py.)"""
import inspect
import os
import sys

import pytest

from tests.support.gwsim import ROOT

sys.path.insert(0, os.path.join(ROOT, "scripts"))
from exchange.workflows.api import gateway, scope, service  # noqa: E402


class FakeScope(object):
    GATEWAY, CLIENT = 1, 4
    current = CLIENT

    @classmethod
    def getGlobalScope(cls):
        return cls.current

    @classmethod
    def isGateway(cls, value):
        return value == cls.GATEWAY


@pytest.fixture
def client_scope(monkeypatch):
    monkeypatch.setattr(scope, "ApplicationScope", FakeScope)
    monkeypatch.setattr(FakeScope, "current", FakeScope.CLIENT)


def test_without_ignition_classes_the_jvm_counts_as_the_gateway():
    assert scope.ApplicationScope is None and scope.isGateway()
    scope.requireGateway("dispatch")  # no error


def test_client_scope_refuses_runtime_calls_with_a_clear_code(client_scope):
    assert not scope.isGateway()
    with pytest.raises(scope.NoGatewayRuntime) as e:
        scope.requireGateway("enqueueInMemory")
    assert e.value.code == "NO_GATEWAY_RUNTIME"
    assert "enqueueInMemory()" in str(e.value) and "callGateway" in str(e.value)
    FakeScope.current = FakeScope.GATEWAY
    assert scope.isGateway()


def test_routes_take_only_parameters_the_service_functions_have_and_never_a_session():
    for name, params in gateway.ROUTES.items():
        signature = tuple(inspect.signature(getattr(service, name)).parameters)
        assert set(params) <= set(signature) and "session" not in params, name


@pytest.mark.parametrize("payload,fragment", [
    ({"function": "dispatch"}, "function must be one of cancel, sendCommand, start"),
    ("not a dict", "function must be one of"),
    ({"function": "start", "kwargs": {"workflowName": "w", "bogus": 1}}, "no argument bogus"),
    ({"function": "cancel", "kwargs": ["workflowId"]}, "Bad request payload"),
])
def test_bad_requests_get_invalid_arguments_never_an_exception(payload, fragment):
    r = gateway.handleRequest(payload)
    assert r["ok"] is False and r["code"] == "INVALID_ARGUMENTS" and fragment in r["message"], r


def test_request_payload_shape():
    assert gateway.request("cancel", workflowId="w", reason="r") == {
        "function": "cancel", "kwargs": {"workflowId": "w", "reason": "r"}}


def test_an_unreachable_handler_names_the_script_it_must_have(monkeypatch):
    """A message handler typed for an older version (engine.scope) fails on the
    gateway; the client's answer says what the handler's script must be."""
    class Util(object):
        @staticmethod
        def getProjectName():
            return "site"

        @staticmethod
        def sendRequest(project, handler, payload, timeoutSec=30):
            raise RuntimeError("AttributeError: 'module' object has no attribute 'scope'")

    class System(object):
        util = Util

    monkeypatch.setattr(gateway, "system", System, raising=False)
    r = gateway.callGateway("cancel", workflowId="w", reason="r")
    assert r["ok"] is False and r["code"] == "GATEWAY_UNREACHABLE", r
    assert "exchange.workflows.api.gateway.handleRequest(payload)" in r["message"], r
