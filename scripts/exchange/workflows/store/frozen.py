"""The schema steps of a dialect with its own DDL (store/ddl_mariadb.py,
store/ddl_mssql.py): all its tables at once at the version its DDL was
frozen at, then its own statements for each later version."""
from exchange.workflows.core.errors import DatabaseError


def steps(database, where, ddl, fromVersion, toVersion):
    """The statements that bring a ``database`` (its name, for the error)
    at ``fromVersion`` (0: none of our tables) to ``toVersion``; ``ddl`` is
    (CREATE, BASE_VERSION, MIGRATIONS) of the module ``where``.

    Raises:
        DatabaseError: a version in between has no statements in ``where``
            (a migration was added without its counterpart there).
    """
    create, baseVersion, migrations = ddl
    out = []
    if fromVersion < baseVersion:
        out.extend(create)
        fromVersion = baseVersion
    for number in range(fromVersion + 1, toVersion + 1):
        if number not in migrations:
            raise DatabaseError("This version of exchange.workflows cannot create its tables on "
                                "%s: schema version %d has no %s statements (%s MIGRATIONS)."
                                % (database, number, database, where))
        out.extend(migrations[number])
    return out
