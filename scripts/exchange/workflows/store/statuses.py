"""The status groups of ``core.states`` as SQL ``IN`` lists, written once.

Statements add them as text, not as bound parameters: they are the
engine's own constants, and a fixed list keeps each statement's text (and
its cached plan) the same on every call. Past migrations in ``schema`` keep
their own frozen copies: they must not change when a group does."""
from exchange.workflows.core import states


def inList(group):
    """``('A','B')`` for the statuses of ``group``."""
    return "(" + ",".join("'%s'" % status for status in group) + ")"


OWNED = inList(states.OWNED)
ACTIVE = inList(states.ACTIVE)
FINISHED = inList(states.FINISHED)
RELEASABLE = inList(states.RELEASABLE)
