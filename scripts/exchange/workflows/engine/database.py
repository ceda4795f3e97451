"""Per-connection preparation: which dialect, and is the schema current.
Done once per JVM and connection name; the answers live in the kernel (plain
data, which survives a project save), the Store handles built from them in
this module (rebuilt after a save, at the cost of one small object)."""
from exchange.workflows.engine import kernel
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import InvalidArguments
from exchange.workflows.store import dialects, schema
from exchange.workflows.store.handle import Store

_BY_NAME = {dialects.POSTGRES.name: dialects.POSTGRES, dialects.SQLITE.name: dialects.SQLITE}

# (dbName, dialect name) -> Store: one handle per connection, shared by every
# caller, so that no hot path allocates one.
_handles = {}


def prepare(dbName):
    """Returns the Store of ``dbName`` after making sure its schema is current.

    Raises:
        InvalidArguments: ``dbName`` is empty or not text.
        DatabaseUnavailable / DatabaseError: the database cannot be used.
    """
    if not dbName or not isinstance(dbName, TEXT):
        raise InvalidArguments("dbName must be the name of a gateway database connection, "
                               "e.g. 'WorkflowsDB'")
    k = kernel.get()
    name = k["dialects"].get(dbName)
    if name is None:
        name = dialects.detect(dbName).name
        k["dialects"].put(dbName, name)
    store = _handle(dbName, name)
    if not kernel.isFlagged("schemaReady", dbName):
        schema.ensure(store)
        kernel.flag("schemaReady", dbName)
    return store


def schemaStatus(dbName):
    """Creates or migrates the schema if needed; returns {version, latest, dialect}."""
    store = prepare(dbName)
    return {"version": schema.currentVersion(store), "latest": schema.LATEST,
            "dialect": store.dialect.name}


def _handle(dbName, dialectName):
    store = _handles.get((dbName, dialectName))
    if store is None:
        store = _handles.setdefault((dbName, dialectName), Store(dbName, _BY_NAME[dialectName]))
    return store


def forget(dbName):
    """Drops what this JVM knows of ``dbName`` (its dialect, its schema being
    current): a connection deleted and created again may point elsewhere."""
    k = kernel.get()
    k["dialects"].remove(dbName)
    k["schemaReady"].remove(dbName)
