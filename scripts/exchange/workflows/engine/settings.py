"""Small JSON documents shared by every gateway using a database (the
authorization policy, retention policies), read and written by name."""
from exchange.workflows.engine import database
from exchange.workflows.store import settings


def read(dbName, key):
    """Returns (valueText, updatedBy, updatedMs), or None when nothing is stored."""
    return settings.read(database.prepare(dbName), key)


def write(dbName, key, value, updatedBy, now):
    settings.write(database.prepare(dbName), key, value, updatedBy, now)
