"""The admin-style methods of ignition-workflows 0.3.6's runtime handle
(``rt.enqueue``, ``rt.dispatch``, ``rt.enterMaintenance``, ...), for gateway
scripts written against it:

    rt = getWorkflows("WorkflowsDB")
    wid = rt.enqueue("site.fill", {"resolved": {"batch": "B-17"}})
    rt.dispatch()

``engine.instance.WorkflowsRuntime`` (what ``getWorkflows()`` returns)
inherits them. Each one is a call of the api function that does the same
job (validation, authorization, audit: one copy), made as the gateway (no
session: a Perspective script that calls them is refused), on the handle's
database, and turns the envelope into what 0.3.6 returned: a value, or a
raised error (a WorkflowsError whose ``code`` is the api's code).
"""
try:
    from java.lang import Thread
except ImportError:  # CPython: importable for unit tests, usable only on Jython.
    pass

from exchange.workflows.api import admin, service
from exchange.workflows.core import clock, logs
from exchange.workflows.core.errors import (ANY_ERROR, DatabaseError, DatabaseUnavailable,
                                              InvalidArguments, NotFound, WorkflowsError)
from exchange.workflows.engine import burst, kernel
from exchange.workflows.engine.submit import NotRegistered

__all__ = ["GatewayMethods"]

# The api codes raised as the engine's own exception classes; any other
# failure raises WorkflowsError with the code.
_RAISED = {
    "INVALID_ARGUMENTS": InvalidArguments,
    "INVALID_WORKFLOW_NAME": InvalidArguments,
    "INVALID_MODE": InvalidArguments,
    "WORKFLOW_NOT_REGISTERED": NotRegistered,
    "WORKFLOW_NOT_FOUND": NotFound,
    "DATABASE_UNAVAILABLE": DatabaseUnavailable,
    "DATABASE_ERROR": DatabaseError,
}


def _data(resp, *accepted):
    """The answer's data when it is ok or its code is one of ``accepted``;
    raises the failure otherwise."""
    if resp["ok"] or resp["code"] in accepted:
        return resp["data"]
    raise _RAISED.get(resp["code"], WorkflowsError)(resp["message"], code=resp["code"])


class GatewayMethods(object):
    """0.3.6's admin-style ``rt.*`` methods; ``self.dbName`` (None: the
    default database) is the database they act on."""

    def enqueue(self, workflowName, inputsObj=None, queueName=None, partitionKey=None, priority=0,
                deduplicationId=None, applicationVersion=None, timeoutSeconds=None,
                allowDuringMaintenance=False):
        """Starts a run durably (service.start); returns its workflow id.

        As in 0.3.6, the default ``allowDuringMaintenance=False`` refuses a
        start while maintenance is on.

        Raises:
            WorkflowNotFound (NotRegistered): no workflow of that name here.
            WorkflowsError: code MAINTENANCE_ACTIVE, or any other refusal
                (INVALID_ARGUMENTS, DATABASE_UNAVAILABLE, ...).
        """
        return _data(service.start(
            workflowName, inputsObj, queueName, partitionKey, priority, deduplicationId,
            applicationVersion, timeoutSeconds, bool(allowDuringMaintenance),
            self.dbName))["workflowId"]

    def enqueueInMemory(self, workflowName, inputsObj=None, queueName=None, partitionKey=None,
                        priority=0, deduplicationId=None, applicationVersion=None,
                        timeoutSeconds=None, allowDuringMaintenance=None):
        """Accepts a run into the in-memory queue (service.enqueueInMemory);
        returns 0.3.6's ack: {accepted: True, queueDepth, ...} or
        {accepted: False, reason ("overflow", "maintenance",
        "invalid_payload": inputs that are not JSON), queueDepth, ...}.

        Raises:
            WorkflowsError: any other refusal (unregistered name, bad arguments).
        """
        resp = service.enqueueInMemory(
            workflowName, inputsObj, queueName, partitionKey, priority, deduplicationId,
            applicationVersion, timeoutSeconds, allowDuringMaintenance, self.dbName)
        if resp["code"] == "INPUTS_NOT_JSON":
            return {"accepted": False, "reason": "invalid_payload", "queueDepth": burst.depth(),
                    "message": resp["message"]}
        return _data(resp, "IN_MEMORY_ENQUEUE_REJECTED")

    def dispatch(self, queueName=None, maxToClaim=None, flushMaxItems=None, flushMaxMs=None):
        """One dispatch cycle (service.dispatch); returns how many runs it
        claimed (0 when another cycle was running)."""
        data = _data(service.dispatch(queueName, maxToClaim, self.dbName, flushMaxItems,
                                      flushMaxMs))
        return int(data.get("claimedCount") or 0)

    def cancelWorkflow(self, workflowId, reason="", actor=None):
        """Cancels a run (service.cancel, ``actor`` recorded as who);
        returns 1, or 0 for an unknown or finished run (0.3.6's count)."""
        data = _data(service.cancel(workflowId, reason or None, self.dbName, actor),
                     "WORKFLOW_NOT_FOUND", "WORKFLOW_ALREADY_FINISHED")
        return 1 if data else 0

    def listWorkflows(self):
        """The registered workflow names, sorted."""
        return [o["value"] for o in _data(service.listWorkflows(self.dbName))["options"]]

    def getMaintenanceStatus(self):
        """admin.getMaintenanceStatus's fields, as a dict."""
        return _data(admin.getMaintenanceStatus(self.dbName))

    def enterMaintenance(self, mode="drain", reason="", queueName=None):
        """admin.enterMaintenance's fields plus {ok, cancelled: {queued, running}}.

        Raises:
            InvalidArguments: code INVALID_MODE for a mode other than drain/cancel.
        """
        return _data(admin.enterMaintenance(mode, reason, queueName, self.dbName))

    def exitMaintenance(self):
        """admin.exitMaintenance's fields plus {ok: True}."""
        return _data(admin.exitMaintenance(self.dbName))

    def swapIfDrained(self):
        """admin.swapIfDrained's data: {ok: True, generation, lastSwapAtMs},
        or {ok: False, reason: "maintenance_required"/"not_drained", ...}."""
        return _data(admin.swapIfDrained(self.dbName), "MAINTENANCE_REQUIRED", "NOT_DRAINED")

    def applyRetention(self):
        """Deletes one batch of expired runs (admin.applyRetention); returns
        None, and logs a failure at WARN instead of raising, as 0.3.6 did."""
        resp = admin.applyRetention(self.dbName)
        if not resp["ok"]:
            logs.get("api.runtime").warnf("Retention failed on %s: %s %s", self.dbName,
                                          resp["code"], resp["message"])

    def getExecutorDiagnostics(self, includeSamples=False, sampleLimit=20):
        """0.3.6's diagnostics: {identity, maintenance, workload, executors,
        inMemoryQueue, capacity}; with ``includeSamples``, also ``samples``:
        up to ``sampleLimit`` ids of runs executing on this gateway."""
        status = self.getMaintenanceStatus()
        k = kernel.get()
        workers = _executor(k["pool"].get())
        active, queued = workers["activeCount"], workers["queueSize"]
        configured = int(kernel.config("maxWorkers"))
        payload = {
            "identity": {"projectName": system.util.getProjectName(), "dbName": self.dbName,
                         "executorId": status["executorId"], "generation": status["generation"],
                         "timestampMs": clock.nowMs(), "threadName": _threadName()},
            "maintenance": {"enabled": status["maintenanceEnabled"],
                            "mode": status["maintenanceMode"],
                            "reason": status["maintenanceReason"],
                            "lastSwapAtMs": status["lastSwapAtMs"]},
            "workload": {"inFlightWorkflows": status["inFlightWorkflows"],
                         "activeWorkflowsCount": status["activeWorkflows"],
                         "activePartitionsCount": status["activePartitions"]},
            # Steps run on their workflow's thread: "steps" describes no pool.
            "executors": {"workflows": workers, "steps": _executor(None)},
            "inMemoryQueue": {
                "type": kernel.burstQueue().getClass().getName(),
                "depth": status["inMemoryQueueDepth"],
                "maxDepth": status["inMemoryQueueMaxDepth"],
                # A full queue refuses the new request; it never drops the oldest.
                "overflowMode": "reject",
                "overflowCount": status["inMemoryQueueOverflowCount"],
                "lastOverflowAtMs": status["inMemoryQueueLastOverflowAtMs"],
                "flushFailureCount": status["inMemoryQueueFlushFailureCount"],
                "deadLetterCount": status["inMemoryQueueDeadLetterCount"],
                "deadLetterDepth": status["inMemoryQueueDeadLetterDepth"],
                # Requests are accepted and flushed during drain; they run after it.
                "acceptDuringMaintenance": True,
                "flushDuringMaintenance": True},
            "capacity": {"workflowWorkersConfigured": configured,
                         "workflowActiveCount": active, "workflowQueueSize": queued,
                         "workflowAvailableSlots": max(0, configured - active - queued)},
        }
        if includeSamples:
            limit = max(0, int(sampleLimit or 0))
            payload["samples"] = {"activeWorkflows": sorted(
                str(w) for w in k["running"].keySet())[:limit]}
        return payload


def _executor(pool):
    """0.3.6's executor fields of the worker pool (zeros when there is none)."""
    data = {"poolSize": 0, "corePoolSize": 0, "maxPoolSize": 0, "largestPoolSize": 0,
            "activeCount": 0, "queueSize": 0, "queueClassName": "", "queueRemainingCapacity": None,
            "taskCount": 0, "completedTaskCount": 0, "isShutdown": False, "isTerminated": False,
            "isTerminating": False}
    if pool is not None:
        queue = pool.getQueue()
        data.update({
            "poolSize": pool.getPoolSize(), "corePoolSize": pool.getCorePoolSize(),
            "maxPoolSize": pool.getMaximumPoolSize(), "largestPoolSize": pool.getLargestPoolSize(),
            "activeCount": pool.getActiveCount(), "queueSize": queue.size(),
            "queueClassName": queue.getClass().getName(),
            "queueRemainingCapacity": queue.remainingCapacity(), "taskCount": pool.getTaskCount(),
            "completedTaskCount": pool.getCompletedTaskCount(), "isShutdown": pool.isShutdown(),
            "isTerminated": pool.isTerminated(), "isTerminating": pool.isTerminating()})
    return data


def _threadName():
    try:
        return Thread.currentThread().getName()
    except ANY_ERROR:
        return ""
