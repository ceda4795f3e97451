"""Run statuses and which transitions and commands each allows.

    (start with a free worker) -> RUNNING
    ENQUEUED -> RUNNING (claimed) -> SUCCESS | ERROR | CANCELLED | STOPPED | ABORTED
    RUNNING -> HOLDING (onHold) -> HELD -> RESTARTING (onResume) -> RUNNING
    RUNNING/HELD -> STOPPING (onStop) -> STOPPED; -> ABORTING (onAbort) -> ABORTED
    (a transition whose handler is not declared skips its transitional status)
    RUNNING/PENDING -> PENDING (recovered after a crash) -> RUNNING
    any active status -> CANCELLED (cancel)
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
# command's handler runs. They are owned like RUNNING (a handler runs on the
# claim holder's thread): OWNED and ACTIVE are written into the schema's
# partial indexes, which migration 11 (the handlers') rebuilt with them.
HOLDING = "HOLDING"
RESTARTING = "RESTARTING"
STOPPING = "STOPPING"
ABORTING = "ABORTING"
# A handler runs (or, after a crash, is to be resumed) in these statuses.
HANDLING = (HOLDING, RESTARTING, STOPPING, ABORTING)

ALL = (ENQUEUED, PENDING, RUNNING, HOLDING, HELD, RESTARTING, STOPPING, ABORTING, SUCCESS,
       ERROR, CANCELLED, STOPPED, ABORTED, DEAD_LETTER)
# Claimed by a gateway and not finished.
OWNED = (PENDING, RUNNING, HELD) + HANDLING
ACTIVE = (ENQUEUED,) + OWNED
# Owned and not held by an operator: what may go back to the queue.
RELEASABLE = (PENDING, RUNNING)
# What recovery and takeover adopt under a new claim rather than release to
# the queue: a held run, and a run whose handler must be resumed (released,
# its open transition would be lost and its body run again).
ADOPTED = (HELD,) + HANDLING
FINISHED = (SUCCESS, ERROR, CANCELLED, STOPPED, ABORTED, DEAD_LETTER)
# Ended runs that service.resume may run again from their last good step.
RESUMABLE = (ERROR, CANCELLED, STOPPED, ABORTED, DEAD_LETTER)

# Operator commands of docs/control.md, in any case; RESTART is another name
# for RESUME. engine/control.py decides what each does: the engine acts on
# HOLD, RESUME, STOP and ABORT at safe points; RESET is delivered to
# workflows that call rt.recvCommand().
COMMANDS = ("HOLD", "RESUME", "RESTART", "STOP", "ABORT", "RESET")
COMMAND_TOPIC = "cmd"
