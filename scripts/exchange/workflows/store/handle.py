"""One database as the store sees it: the connection name and its dialect.

Every store function takes a ``Store`` first. Engine code gets one from
``engine.database.prepare(dbName)``, which keeps one per connection, so a
run holds the same handle from its claim to its end."""
from exchange.workflows.store import db, standins


class Store(object):
    __slots__ = ("dbName", "dialect")

    def __init__(self, dbName, dialect):
        self.dbName = dbName
        self.dialect = dialect

    def sql(self, template):
        """``template`` with the table names of this database filled in."""
        return self.dialect.sql(template)

    def query(self, template, args=(), tx=None):
        """Runs a SELECT (or ... RETURNING) written with ``{table}`` placeholders.
        A statement the database lacks goes through store.standins."""
        if self.dialect.standIns:
            return standins.query(self, template, args, tx)
        return db.query(self.dbName, self.dialect.sql(template), args, tx)

    def update(self, template, args=(), tx=None):
        """Runs an INSERT/UPDATE/DELETE written with ``{table}`` placeholders."""
        if self.dialect.standIns:
            return standins.update(self, template, args, tx)
        return db.update(self.dbName, self.dialect.sql(template), args, tx)

    def transaction(self, timeoutMs=30000, prelude=True):
        """``with store.transaction() as tx:`` (see db.Transaction)."""
        return db.Transaction(self.dbName, self.dialect, timeoutMs, prelude)

    def __repr__(self):
        return "Store(%r, %s)" % (self.dbName, self.dialect.name)
