"""Statements on ``settings``: small JSON documents shared by every gateway
that uses the database (maintenance mode, retention policy)."""
from exchange.workflows.store import db


def read(dbName, d, key):
    """Returns (valueText, updatedBy, updatedMs) or None."""
    ds = db.query(dbName, d.sql(
        "SELECT value, updated_by, updated_ms FROM {settings} WHERE setting_key = ?"), [key])
    return (ds[0][0], ds[0][1], ds[0][2]) if len(ds) else None


def write(dbName, d, key, value, updatedBy, now):
    db.update(dbName, d.sql(
        "INSERT INTO {settings} (setting_key, value, updated_by, updated_ms) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (setting_key) DO UPDATE SET value = excluded.value, "
        "updated_by = excluded.updated_by, updated_ms = excluded.updated_ms"),
        [key, value, updatedBy, now])
