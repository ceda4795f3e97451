"""The audit trail of operator actions: append one record, read a page,
delete the oldest. Who may act and what a record says is api/access.py's."""
from exchange.workflows.engine import database
from exchange.workflows.store import audit

Record = audit.Record


def append(dbName, record):
    audit.insert(database.prepare(dbName), record)


def page(dbName, filters, limit, offset):
    """Returns (rows as dicts keyed by column, total) for the filters."""
    return audit.page(database.prepare(dbName), filters, limit, offset)


def deleteOlderThan(dbName, cutoffMs, limit):
    """Deletes up to ``limit`` records older than ``cutoffMs``; returns how many."""
    return audit.deleteOlderThan(database.prepare(dbName), cutoffMs, limit)
