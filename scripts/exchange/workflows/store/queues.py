"""Statements on ``queues``: each queue's concurrency limits (the claim
transaction also locks a queue's row; see claims.py)."""


def configure(store, queueName, concurrency, workerConcurrency, rateLimit=None, ratePeriodMs=None):
    """Sets the queue's limits (None: no limit), creating its row if needed:
    runs at once on all gateways, on one gateway, and started per period."""
    with store.transaction() as tx:
        store.update("INSERT INTO {queues} (queue_name) VALUES (?) ON CONFLICT DO NOTHING",
                     [queueName], tx)
        store.update("UPDATE {queues} SET concurrency = ?, worker_concurrency = ?, "
                     "rate_limit = ?, rate_period_ms = ? WHERE queue_name = ?",
                     [concurrency, workerConcurrency, rateLimit, ratePeriodMs, queueName], tx)
