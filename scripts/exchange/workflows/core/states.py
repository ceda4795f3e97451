"""Run statuses and which transitions and commands each allows.

    (start with a free worker) -> RUNNING
    ENQUEUED -> RUNNING (claimed) <-> HELD -> SUCCESS | ERROR | CANCELLED | STOPPED | ABORTED
    RUNNING/PENDING -> PENDING (recovered after a crash) -> RUNNING
    any active status -> CANCELLED (cancel), STOPPED (STOP), ABORTED (ABORT)
    PENDING/RUNNING/HELD -> DEAD_LETTER (recovered too many times)

Every transition is a conditional UPDATE whose WHERE clause lists the
statuses it may leave, so a finished row can never be overwritten.
"""
ENQUEUED = "ENQUEUED"
PENDING = "PENDING"
RUNNING = "RUNNING"
HELD = "HELD"
SUCCESS = "SUCCESS"
ERROR = "ERROR"
CANCELLED = "CANCELLED"
STOPPED = "STOPPED"
DEAD_LETTER = "DEAD_LETTER"
ABORTED = "ABORTED"
# The transitional statuses of docs/control.md (issue 12), shown while a
# command's handler runs. Not yet in ALL, OWNED or ACTIVE: those two groups
# are written into the schema's partial indexes, so they change together
# with a schema migration, when handlers land. Until then nothing stores
# them. (ABORTED is a finished status: no index lists those.)
HOLDING = "HOLDING"
RESTARTING = "RESTARTING"
STOPPING = "STOPPING"
ABORTING = "ABORTING"

ALL = (ENQUEUED, PENDING, RUNNING, HELD, SUCCESS, ERROR, CANCELLED, STOPPED, ABORTED,
       DEAD_LETTER)
# Claimed by a gateway and not finished.
OWNED = (PENDING, RUNNING, HELD)
ACTIVE = (ENQUEUED,) + OWNED
# Owned and not held by an operator: what may go back to the queue.
RELEASABLE = (PENDING, RUNNING)
FINISHED = (SUCCESS, ERROR, CANCELLED, STOPPED, ABORTED, DEAD_LETTER)
# A handler runs (or, after a crash, is to be resumed) in these statuses.
HANDLING = (HOLDING, RESTARTING, STOPPING, ABORTING)
# Ended runs that service.resume may run again from their last good step.
RESUMABLE = (ERROR, CANCELLED, STOPPED, ABORTED, DEAD_LETTER)

# Operator commands of docs/control.md, in any case; RESTART is another name
# for RESUME. engine/control.py decides what each does: the engine acts on
# HOLD, RESUME, STOP and ABORT at safe points; RESET is delivered to
# workflows that call rt.recvCommand().
COMMANDS = ("HOLD", "RESUME", "RESTART", "STOP", "ABORT", "RESET")
COMMAND_TOPIC = "cmd"
