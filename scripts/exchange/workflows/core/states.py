"""Run statuses and which transitions and commands each allows.

    (start with a free worker) -> RUNNING
    ENQUEUED -> RUNNING (claimed) <-> HELD -> SUCCESS | ERROR | CANCELLED | STOPPED
    RUNNING/PENDING -> PENDING (recovered after a crash) -> RUNNING
    any active status -> CANCELLED (cancel), STOPPED (STOP)
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
# ISA-88 statuses of docs/control.md (issue 12). Not yet in ALL, OWNED,
# ACTIVE or FINISHED: those groups are written into the schema's partial
# indexes, so they change together with schema migration 5. Until the
# engine writes these statuses, nothing stores them.
HOLDING = "HOLDING"
RESTARTING = "RESTARTING"
STOPPING = "STOPPING"
ABORTING = "ABORTING"
ABORTED = "ABORTED"

ALL = (ENQUEUED, PENDING, RUNNING, HELD, SUCCESS, ERROR, CANCELLED, STOPPED, DEAD_LETTER)
# Claimed by a gateway and not finished.
OWNED = (PENDING, RUNNING, HELD)
ACTIVE = (ENQUEUED,) + OWNED
# Owned and not held by an operator: what may go back to the queue.
RELEASABLE = (PENDING, RUNNING)
FINISHED = (SUCCESS, ERROR, CANCELLED, STOPPED, DEAD_LETTER)
# A handler runs (or, after a crash, is to be resumed) in these statuses.
HANDLING = (HOLDING, RESTARTING, STOPPING, ABORTING)
# Ended runs that service.resume may run again from their last good step.
RESUMABLE = (ERROR, CANCELLED, STOPPED, ABORTED, DEAD_LETTER)

# Operator commands. The engine itself acts on HOLD, RESUME and STOP at
# safe points; RESET and the rest are delivered to workflows that call
# rt.recvCommand().
COMMANDS = ("HOLD", "RESUME", "STOP", "RESET")
# Every command of docs/control.md (engine/control.py decides what each
# does). engine/commands.send validates against COMMANDS, so ABORT and
# RESTART join COMMANDS only when the engine acts on them: accepted
# earlier, they would sit unread in the mailbox.
ISA88_COMMANDS = ("HOLD", "RESUME", "RESTART", "STOP", "ABORT", "RESET")
COMMAND_TOPIC = "cmd"
