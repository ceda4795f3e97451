"""Queue limits, set by an administrator and shared by every gateway."""
from exchange.workflows.engine import database
from exchange.workflows.store import queues


def configure(dbName, queueName, concurrency, workerConcurrency):
    """Sets ``concurrency`` (all gateways) and ``workerConcurrency`` (per
    gateway) of the queue; None means no limit."""
    queues.configure(database.prepare(dbName), queueName, concurrency, workerConcurrency)
