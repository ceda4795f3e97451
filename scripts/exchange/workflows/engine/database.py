"""Per-connection preparation: which dialect, and is the schema current.
Done once per JVM and connection name; the answers live in the kernel."""
from exchange.workflows.engine import kernel
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import InvalidArguments
from exchange.workflows.store import dialects, schema

_BY_NAME = {dialects.POSTGRES.name: dialects.POSTGRES, dialects.SQLITE.name: dialects.SQLITE}


def prepare(dbName):
    """Returns the Dialect of ``dbName`` after making sure its schema is current.

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
        d = dialects.detect(dbName)
        k["dialects"].put(dbName, d.name)
    else:
        d = _BY_NAME[name]
    if not kernel.isFlagged("schemaReady", dbName):
        schema.ensure(dbName, d)
        kernel.flag("schemaReady", dbName)
    return d


def dialectNamed(name):
    return _BY_NAME[name]


def forget(dbName):
    """Drops what this JVM knows of ``dbName`` (its dialect, its schema being
    current): a connection deleted and created again may point elsewhere."""
    k = kernel.get()
    k["dialects"].remove(dbName)
    k["schemaReady"].remove(dbName)
