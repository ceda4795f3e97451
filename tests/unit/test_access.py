"""Who is calling (api/access.py), on CPython: a gateway script is the
gateway; a Perspective script without a session, a forged Caller or a
non-session object is refused; the gateway never reads the policy."""
import os
import sys

import pytest

from tests.support.gwsim import ROOT

sys.path.insert(0, os.path.join(ROOT, "scripts"))
from exchange.workflows.api import access  # noqa: E402

# Perspective hands every script one of its own wrappers as `self` (a Java
# class of package com.inductiveautomation.perspective): a look-alike.
Wrapper = type("ComponentModelScriptWrapper$SafetyWrapper", (object,),
               {"__module__": "com.inductiveautomation.perspective.gateway.script"})


def library_call():
    """A project library function between the script and the API."""
    return access.caller(None)


def runAction(self, event):  # noqa: N802 - Perspective's header
    return library_call()


def valueChanged(tag, tagPath, previousValue, currentValue, initialChange, missedEvents):  # noqa
    return library_call()


class Session(object):
    class props(object):
        id = "3f2a9c1e"


def test_a_gateway_script_is_the_gateway():
    assert valueChanged(None, "[default]T", None, None, False, False) is access.GATEWAY
    assert access.caller() is access.GATEWAY
    assert access.actor(access.GATEWAY) == "gateway"


def test_a_perspective_script_without_a_session_is_refused_not_the_gateway():
    who = runAction(Wrapper(), None)
    assert who.source == "perspective" and "session=self.session" in who.refusal
    assert access.allowed(who, "WorkflowsDB") == dict((a, False) for a in access.ACTIONS)
    with pytest.raises(access.NotAuthorized) as e:
        access.require(who, "read", "WorkflowsDB")
    assert e.value.code == "NOT_AUTHORIZED" and "session=self.session" in str(e.value)


def test_an_ordinary_self_is_not_mistaken_for_perspective():
    class Helper(object):
        def act(self):
            return library_call()
    assert Helper().act() is access.GATEWAY


def test_only_a_perspective_session_or_a_client_caller_is_accepted():
    assert access.caller(Session()).sessionId == "3f2a9c1e"
    assert access.caller(object()).refusal == access.NOT_A_SESSION
    assert access.caller(access.Caller("gateway")).refusal == access.NOT_A_SESSION
    client = access.clientCaller("  mallory ")
    assert access.caller(client) is client and client.claimedUser == "mallory"
    assert client.user is None and client.roles == () and access.actor(client) == "client"
    assert access.clientCaller("").claimedUser is None


def test_the_gateway_never_reads_the_policy(monkeypatch):
    def boom(dbName):
        raise AssertionError("policy read for the gateway")
    monkeypatch.setattr(access, "currentPolicy", boom)
    for action in access.ACTIONS:
        assert access.require(access.GATEWAY, action, "WorkflowsDB") is None
    assert all(access.allowed(access.GATEWAY, "WorkflowsDB").values())
    access.audit(access.GATEWAY, "start", "WorkflowsDB", "WORKFLOW_ENQUEUED")  # not recorded
    with pytest.raises(ValueError):
        access.require(access.GATEWAY, "launch", "WorkflowsDB")
