"""Queue limits, set by an administrator and shared by every gateway."""
from exchange.workflows.engine import database
from exchange.workflows.store import queues


def configure(dbName, queueName, concurrency, workerConcurrency, rateLimit=None,
              ratePeriodMs=None):
    """Sets ``concurrency`` (all gateways), ``workerConcurrency`` (per
    gateway) and the start rate (``rateLimit`` runs per ``ratePeriodMs``,
    all gateways) of the queue; None means no limit."""
    queues.configure(database.prepare(dbName), queueName, concurrency, workerConcurrency,
                     rateLimit, ratePeriodMs)
