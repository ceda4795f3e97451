"""Per-connection preparation: which dialect, where the engine's tables are
(store.layout), and are they current. Done once per JVM and connection
name; the answers live in the kernel (plain data, which survives a project
save), the Store handles built from them in this module (rebuilt after a
save, at the cost of one small object)."""
from exchange.workflows.engine import kernel
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import InvalidArguments
from exchange.workflows.store import dialects, layout, schema
from exchange.workflows.store.handle import Store

# (dbName, dialect name, schema) -> Store: one handle per connection, shared
# by every caller, so that no hot path allocates one.
_handles = {}


def prepare(dbName):
    """Returns the Store of ``dbName`` after making sure its tables are current.

    Raises:
        InvalidArguments: ``dbName`` is empty or not text.
        SchemaIncompatible: the database holds tables the engine cannot use.
        DatabaseUnavailable / DatabaseError: the database cannot be used.
    """
    if not dbName or not isinstance(dbName, TEXT):
        raise InvalidArguments("dbName must be the name of a gateway database connection, "
                               "e.g. 'WorkflowsDB'")
    k = kernel.get()
    # (dialect name, schema): a kernel kept from older code may hold a
    # dialect name alone, which is asked again.
    known = k["dialects"].get(dbName)
    if not isinstance(known, tuple) or not kernel.isFlagged("schemaReady", dbName):
        dialect = dialects.detect(dbName)
        found = schema.ensure(dbName, dialect)
        known = (dialect.name, found.schemaName)
        k["dialects"].put(dbName, known)
        kernel.flag("schemaReady", dbName)
    return _handle(dbName, known[0], known[1])


def schemaStatus(dbName):
    """Creates or migrates the tables if needed; returns {schemaName, version,
    latest, dialect, upstreamSchema: {found, schemaName, version}}."""
    store = prepare(dbName)
    found = layout.locate(dbName, store.dialect)
    upstream = {"found": found.upstream, "schemaName": dialects.DEFAULT_SCHEMA,
                "version": layout.upstreamVersion(dbName, store.dialect) if found.upstream
                else None}
    version = schema.currentVersion(store)
    return {"schemaName": store.dialect.schema, "version": version, "latest": schema.LATEST,
            "dialect": store.dialect.name, "schemaVersion": version, "upstreamSchema": upstream}


def _handle(dbName, dialectName, schemaName):
    store = _handles.get((dbName, dialectName, schemaName))
    if store is None:
        store = _handles.setdefault((dbName, dialectName, schemaName),
                                    Store(dbName, dialects.layout(dialectName, schemaName)))
    return store


def forget(dbName):
    """Drops what this JVM knows of ``dbName`` (its dialect, its schema being
    current): a connection deleted and created again may point elsewhere."""
    k = kernel.get()
    k["dialects"].remove(dbName)
    k["schemaReady"].remove(dbName)
