"""Scopes, in the BUILT 8.3 project: from a JVM that is not the gateway
(faked here: gwsim is a gateway), enqueueInMemory and dispatch answer
NO_GATEWAY_RUNTIME, and start/sendCommand/cancel reach the gateway through the
project's 'workflows' message handler (system.util.sendRequest), where they
act as the caller "client": refused by the default policy, allowed once the
policy's clients flags say so, and never under the user name they claim."""
from __future__ import print_function

import exchange.workflows.api.security as security
import exchange.workflows.api.gateway as gateway
import exchange.workflows.api.scope as scope
# The built project's apps folder has no code; its loader is the child script __init__.
from exchange.workflows.apps import __init__ as apps
from wfkit import bad, check, finish, ok, svc, wait_status

# The shipped project registers no demo workflow: register them, as tools/demo does.
check("exchange.workflows.demo" in apps.loadReport(["exchange.workflows.demo"])["loaded"],
      "the demo workflows register on request")


class ClientScope(object):
    """ApplicationScope as a Vision client sees it."""

    @staticmethod
    def getGlobalScope():
        return 4

    @staticmethod
    def isGateway(value):
        return False


def as_client(fn):
    real = scope.ApplicationScope
    scope.ApplicationScope = ClientScope
    try:
        return fn()
    finally:
        scope.ApplicationScope = real


check(scope.isGateway(), "gwsim runs as the gateway (no ApplicationScope class)")
refused = as_client(svc.dispatch)
bad(refused, "NO_GATEWAY_RUNTIME")
check("gateway" in refused["message"] and "callGateway" in refused["message"],
      "the refusal says where to call from", refused["message"])
bad(as_client(lambda: svc.enqueueInMemory("demo.small", {"duration_s": 1})), "NO_GATEWAY_RUNTIME")

denied = as_client(lambda: gateway.callGateway("start", workflowName="demo.small",
                                             inputs={"duration_s": 30}))
bad(denied, "NOT_AUTHORIZED")
check("clients" in denied["message"], "the refusal names the policy flag", denied["message"])
policy = ok(security.getPolicy(), "POLICY")["policy"]
for action in ("start", "hold", "stop"):
    policy["actions"][action]["clients"] = True
ok(security.setPolicy(policy, reason="Vision panels run workflows"), "POLICY_SET")
routed = as_client(lambda: gateway.callGateway("start", workflowName="demo.small",
                                             inputs={"duration_s": 30}))
wid = ok(routed, "WORKFLOW_ENQUEUED")["workflowId"]
wait_status(wid, "RUNNING", 20)
ok(as_client(lambda: gateway.callGateway("sendCommand", workflowId=wid, cmd="HOLD",
                                       reason="from a client", user="vision-op")), "COMMAND_SENT")
wait_status(wid, "HELD", 20)
ok(as_client(lambda: gateway.callGateway("cancel", workflowId=wid, reason="done",
                                       user="vision-op")), "CANCEL_REQUESTED")
check(wait_status(wid, "CANCELLED", 20)["status"] == "CANCELLED", "routed cancel")
sender = ok(svc.getCommands(wid))[0]["sender"]
check(sender == "client", "a client's claimed user is not its identity", sender)
claimed = [r["detail"]["claimedUser"] for r in ok(security.listAudit(source="client"))["rows"]
           if r["allowed"] and r["target"] in ("HOLD", "cancel")]
check(claimed == ["vision-op", "vision-op"], "the claimed user is kept aside in the audit trail",
      claimed)

project = system.util.getProjectName()
bad(system.util.sendRequest(project, "workflows", {"function": "dispatch"}), "INVALID_ARGUMENTS")
bad(system.util.sendRequest(project, "workflows", {"function": "start",
                                                    "kwargs": {"workflowName": "x", "bogus": 1}}),
    "INVALID_ARGUMENTS")
bad(system.util.sendRequest(project, "workflows", "not a dict"), "INVALID_ARGUMENTS")
bad(gateway.callGateway("start", project="no-such-project", workflowName="demo.small"),
    "GATEWAY_UNREACHABLE")
ok(svc.dispatch(), None, "dispatch works again in gateway scope")
finish()
