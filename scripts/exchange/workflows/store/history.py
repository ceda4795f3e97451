"""A run's operation-keyed history as a whole: its recorded operations
(``operation_outputs``), the event values and stream values they wrote
(``event_history``, ``streams``, keyed by the writing operation's id) and
the latest value per event key derived from them (``workflow_events``).

Resume cuts a run's body history at an operation id (``cutAt``); fork
copies what lies below an operation id into a new run (``copyBefore``).
Both keep the four tables consistent with each other: the same operation
ids in each, and latest values that are the last value set among what is
kept. What the run's command handlers recorded (ids from
checkpoints.HANDLER_BASE on) is never cut: an onStop or onAbort that ran
stays in the run's record when the run is resumed (its transition is kept
too), and its ids, above every body id, are also the latest in time."""
from exchange.workflows.store.checkpoints import HANDLER_BASE


# The rows a cut keeps: the body's below the cut, and every handler's; the
# rows a fork copies: the body's below the fork point.
_KEPT = "({c} < ? OR {c} >= %d)" % HANDLER_BASE
_CUT = "{c} >= ? AND {c} < %d" % HANDLER_BASE
_BELOW = "{c} < ?"


def _latestEvents(rows):
    """The latest value of each key among ``source``'s history rows that
    ``rows`` (_KEPT or _BELOW) selects (function_id, sub_offset order),
    written as ``target``'s: one statement for fork (a new run) and resume
    (the same run, after a DELETE). Values: target, source, cut, cut."""
    def among(alias):
        return rows.format(c=alias + ".function_id")
    return (
        "INSERT INTO {events} (workflow_id, event_key, value, updated_ms) "
        "SELECT CAST(? AS VARCHAR(64)), h.event_key, h.value, h.created_ms FROM {eventHistory} h "
        "WHERE h.workflow_id = ? AND " + among("h") + " AND NOT EXISTS (SELECT 1 FROM "
        "{eventHistory} l WHERE l.workflow_id = h.workflow_id AND l.event_key = h.event_key "
        "AND " + among("l") + " AND (l.function_id > h.function_id OR (l.function_id = "
        "h.function_id AND l.sub_offset > h.sub_offset)))")


_LATEST_KEPT = _latestEvents(_KEPT)
_LATEST_BELOW = _latestEvents(_BELOW)


def cutAt(store, workflowId, functionId, tx):
    """Deletes the run body's operations from ``functionId`` on, with the
    event and stream values they wrote, and derives its latest event values
    again from what is left: the run will execute those operations again.
    Its handlers' operations stay (see the module docstring)."""
    store.update("DELETE FROM {ops} WHERE workflow_id = ? AND "
                 + _CUT.format(c="function_id"), [workflowId, functionId], tx)
    store.update("DELETE FROM {streams} WHERE workflow_id = ? AND "
                 + _CUT.format(c="stream_offset"), [workflowId, functionId], tx)
    # Only the keys the history knows are derived again: a latest value set
    # before event history existed (schema 4 and older) has no history row
    # and stays as it is rather than vanish.
    store.update("DELETE FROM {events} WHERE workflow_id = ? AND event_key IN (SELECT event_key "
                 "FROM {eventHistory} WHERE workflow_id = ?)", [workflowId, workflowId], tx)
    store.update("DELETE FROM {eventHistory} WHERE workflow_id = ? AND "
                 + _CUT.format(c="function_id"), [workflowId, functionId], tx)
    store.update(_LATEST_KEPT, [workflowId, workflowId, functionId, functionId], tx)


def copyBefore(store, sourceId, targetId, functionId, tx):
    """Copies ``sourceId``'s operations below ``functionId``, with the event and
    stream values they wrote and the latest event values they leave, to the
    new run ``targetId``: the new run replays them instead of executing."""
    store.update(
        "INSERT INTO {ops} (workflow_id, function_id, function_name, output, error, attempts, "
        "started_ms, finished_ms) SELECT CAST(? AS VARCHAR(64)), function_id, function_name, "
        "output, error, attempts, started_ms, finished_ms FROM {ops} "
        "WHERE workflow_id = ? AND function_id < ?", [targetId, sourceId, functionId], tx)
    store.update(
        "INSERT INTO {streams} (workflow_id, stream_key, stream_offset, sub_offset, value, "
        "created_ms) SELECT CAST(? AS VARCHAR(64)), stream_key, stream_offset, sub_offset, "
        "value, created_ms FROM {streams} WHERE workflow_id = ? AND stream_offset < ?",
        [targetId, sourceId, functionId], tx)
    store.update(
        "INSERT INTO {eventHistory} (workflow_id, function_id, sub_offset, event_key, value, "
        "created_ms) SELECT CAST(? AS VARCHAR(64)), function_id, sub_offset, event_key, value, "
        "created_ms FROM {eventHistory} WHERE workflow_id = ? AND function_id < ?",
        [targetId, sourceId, functionId], tx)
    store.update(_LATEST_BELOW, [targetId, sourceId, functionId, functionId], tx)
