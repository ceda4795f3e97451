"""Statements on ``executors``: each gateway's heartbeat and lease, timed by
the database's own clock so that gateway clocks need not agree."""


def heartbeat(store, executorId, appVersion, leaseMs, startedMs):
    """Renews this gateway's lease (and marks it alive again after a pause)."""
    n = store.update(
        "UPDATE {executors} SET state = 'ALIVE', heartbeat_ms = {dbNowMs}, lease_ms = ?, "
        "application_version = ? WHERE executor_id = ?", [leaseMs, appVersion, executorId])
    if n == 0:
        store.update(
            "INSERT INTO {executors} (executor_id, state, application_version, lease_ms, started_ms, "
            "heartbeat_ms) VALUES (?, 'ALIVE', ?, ?, ?, {dbNowMs}) ON CONFLICT DO NOTHING",
            [executorId, appVersion, leaseMs, startedMs])


def expired(store, executorId):
    """Returns the ids of other gateways whose lease ran out and whose runs
    have not all been taken over yet."""
    ds = store.query(
        "SELECT executor_id FROM {executors} WHERE state = 'ALIVE' AND executor_id <> ? "
        "AND heartbeat_ms + lease_ms < {dbNowMs}", [executorId])
    return [r[0] for r in ds]


def markDead(store, executorId):
    """Records that nothing of the gateway is left to take over (until it heartbeats again)."""
    store.update(
        "UPDATE {executors} SET state = 'DEAD' WHERE executor_id = ? AND state = 'ALIVE' "
        "AND heartbeat_ms + lease_ms < {dbNowMs}", [executorId])


def listAll(store):
    ds = store.query(
        "SELECT executor_id, state, application_version, lease_ms, started_ms, heartbeat_ms, "
        "{dbNowMs} FROM {executors} ORDER BY executor_id")
    return [{"executorId": r[0], "state": r[1], "applicationVersion": r[2], "leaseMs": int(r[3]),
             "startedMs": int(r[4]), "heartbeatMs": int(r[5]),
             "leaseLeftMs": int(r[5]) + int(r[3]) - int(r[6])} for r in ds]
