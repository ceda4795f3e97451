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

ALL = (ENQUEUED, PENDING, RUNNING, HELD, SUCCESS, ERROR, CANCELLED, STOPPED, DEAD_LETTER)
# Claimed by a gateway and not finished.
OWNED = (PENDING, RUNNING, HELD)
ACTIVE = (ENQUEUED,) + OWNED
FINISHED = (SUCCESS, ERROR, CANCELLED, STOPPED, DEAD_LETTER)

# Operator commands. The engine itself acts on HOLD, RESUME and STOP at
# safe points; RESET and the rest are delivered to workflows that call
# rt.recvCommand().
COMMANDS = ("HOLD", "RESUME", "STOP", "RESET")
COMMAND_TOPIC = "cmd"
