"""Named values the store hands to the engine instead of positional tuples.

``RunRow`` is read on every claim, so it is a plain class with __slots__
(no dict per row, attribute reads only); ``Operation`` and ``Claimed`` are
namedtuples, which Jython 2.7 supports and which still unpack by position
where that reads better (``runs, more = claims.claim(...)``)."""
from collections import namedtuple

from exchange.workflows.store.rows import camel, plain

# What a worker needs to run a claimed row, in SELECT/RETURNING order.
RUN_COLUMNS = ("workflow_id", "workflow_name", "status", "queue_name", "inputs", "claim_epoch",
               "timeout_ms", "deadline_ms", "started_ms", "recovery_attempts", "cmd_seq",
               "application_version")
_RUN_FIELDS = tuple(camel(c) for c in RUN_COLUMNS)


class RunRow(object):
    """A run held by this gateway: the RUN_COLUMNS in camelCase, and
    ``fresh`` (True: never started before, so it has no history to load)."""
    __slots__ = _RUN_FIELDS + ("fresh",)

    def __init__(self, workflowId, workflowName, status, queueName, inputs, claimEpoch,
                 timeoutMs, deadlineMs, startedMs, recoveryAttempts, cmdSeq,
                 applicationVersion, fresh=False):
        self.workflowId = workflowId
        self.workflowName = workflowName
        self.status = status
        self.queueName = queueName
        self.inputs = inputs
        self.claimEpoch = claimEpoch
        self.timeoutMs = timeoutMs
        self.deadlineMs = deadlineMs
        self.startedMs = startedMs
        self.recoveryAttempts = recoveryAttempts
        self.cmdSeq = cmdSeq
        self.applicationVersion = applicationVersion
        self.fresh = fresh

    def __repr__(self):
        return "RunRow(%s)" % ", ".join("%s=%r" % (name, getattr(self, name))
                                        for name in self.__slots__)


def runRows(ds):
    """The RunRows of a result set selected with RUN_COLUMNS."""
    n = len(RUN_COLUMNS)
    return [RunRow(*[plain(row[i]) for i in range(n)]) for row in ds]


# One durable operation of a run (step, sleep, received command, event,
# stream write) as recorded in ``operation_outputs``.
OPERATION_COLUMNS = ("function_id", "function_name", "output", "error", "attempts",
                     "started_ms", "finished_ms")
Operation = namedtuple("Operation", [camel(c) for c in OPERATION_COLUMNS])


def operations(ds):
    """The Operations of a result set selected with OPERATION_COLUMNS."""
    n = len(OPERATION_COLUMNS)
    return [Operation(*[plain(row[i]) for i in range(n)]) for row in ds]


# What a worker checks of its run's row: still ours (epoch), still active
# (status), any new command (cmdSeq). See runs.control.
Control = namedtuple("Control", ["status", "claimEpoch", "cmdSeq"])


# What a claim returns: the runs it took, and whether the queue may hold
# more that this gateway could run (see claims.claim).
Claimed = namedtuple("Claimed", ["runs", "more"])
