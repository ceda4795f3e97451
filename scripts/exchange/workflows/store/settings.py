"""Statements on ``settings``: small JSON documents shared by every gateway
that uses the database (maintenance mode, retention policy)."""


def read(store, key):
    """Returns (valueText, updatedBy, updatedMs) or None."""
    ds = store.query(
        "SELECT value, updated_by, updated_ms FROM {settings} WHERE setting_key = ?", [key])
    return (ds[0][0], ds[0][1], ds[0][2]) if len(ds) else None


def write(store, key, value, updatedBy, now):
    store.update(
        "INSERT INTO {settings} (setting_key, value, updated_by, updated_ms) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (setting_key) DO UPDATE SET value = excluded.value, "
        "updated_by = excluded.updated_by, updated_ms = excluded.updated_ms",
        [key, value, updatedBy, now])
