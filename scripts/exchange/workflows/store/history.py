"""A run's operation-keyed history as a whole: its recorded operations
(``operation_outputs``), the event values and stream values they wrote
(``event_history``, ``streams``, keyed by the writing operation's id) and
the latest value per event key derived from them (``workflow_events``).

Resume cuts a run's history at an operation id (``cutAt``); fork copies
what lies below an operation id into a new run (``copyBefore``). Both keep
the four tables consistent with each other: the same operation ids in each,
and latest values that are the last value set below the cut."""

# The latest value of each key among ``source``'s history rows below the
# cut (function_id, sub_offset order), written as ``target``'s: one
# statement for fork (a new run) and resume (the same run, after a DELETE).
_LATEST_EVENTS = (
    "INSERT INTO {events} (workflow_id, event_key, value, updated_ms) "
    "SELECT CAST(? AS VARCHAR(64)), h.event_key, h.value, h.created_ms FROM {eventHistory} h "
    "WHERE h.workflow_id = ? AND h.function_id < ? AND NOT EXISTS (SELECT 1 FROM "
    "{eventHistory} l WHERE l.workflow_id = h.workflow_id AND l.event_key = h.event_key "
    "AND l.function_id < ? AND (l.function_id > h.function_id OR (l.function_id = "
    "h.function_id AND l.sub_offset > h.sub_offset)))")


def cutAt(store, workflowId, functionId, tx):
    """Deletes the run's operations from ``functionId`` on, with the event and
    stream values they wrote, and derives its latest event values again from
    what is left: the run will execute those operations again."""
    store.update("DELETE FROM {ops} WHERE workflow_id = ? AND function_id >= ?",
                 [workflowId, functionId], tx)
    store.update("DELETE FROM {streams} WHERE workflow_id = ? AND stream_offset >= ?",
                 [workflowId, functionId], tx)
    # Only the keys the history knows are derived again: a latest value set
    # before event history existed (schema 4 and older) has no history row
    # and stays as it is rather than vanish.
    store.update("DELETE FROM {events} WHERE workflow_id = ? AND event_key IN (SELECT event_key "
                 "FROM {eventHistory} WHERE workflow_id = ?)", [workflowId, workflowId], tx)
    store.update("DELETE FROM {eventHistory} WHERE workflow_id = ? AND function_id >= ?",
                 [workflowId, functionId], tx)
    store.update(_LATEST_EVENTS, [workflowId, workflowId, functionId, functionId], tx)


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
    store.update(_LATEST_EVENTS, [targetId, sourceId, functionId, functionId], tx)
