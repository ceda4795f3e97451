"""The MariaDB dialect's pure logic (issue 14): its schema steps kept beside
store.schema.MIGRATIONS, the statement rewrites, the UPDATE ... RETURNING
stand-in and version detection. Statements run on a real MariaDB server in
the integration tests (tests/conftest.py MARIADB_MODULES)."""
import os
import re
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from exchange.workflows.store import ddl_mariadb, db, dialects, schema, standins  # noqa: E402

MARIADB = dialects.MARIADB


def test_every_migration_has_its_mariadb_counterpart():
    # A new step in store.schema.MIGRATIONS needs its MariaDB statements in
    # store/ddl_mariadb.py MIGRATIONS under the same number.
    missing = [n for n in range(ddl_mariadb.BASE_VERSION + 1, schema.LATEST + 1)
               if n not in ddl_mariadb.MIGRATIONS]
    assert not missing, "store/ddl_mariadb.py MIGRATIONS lacks version(s) %s" % missing
    assert max(ddl_mariadb.MIGRATIONS) == schema.LATEST
    assert ddl_mariadb.BASE_VERSION <= schema.LATEST
    # A gateway meeting the gap answers a clear DATABASE_ERROR, not a crash.
    from exchange.workflows.core.errors import DatabaseError
    with pytest.raises(DatabaseError, match="schema version %d has no MariaDB" % (schema.LATEST + 1)):
        ddl_mariadb.steps(schema.LATEST, schema.LATEST + 1)


_CREATE = re.compile(r"^\s*CREATE TABLE (?:IF NOT EXISTS )?(\{\w+\}) \((.*)\)", re.S)
_ADD = re.compile(r"^ALTER TABLE (\{\w+\}) ADD COLUMN (?:IF NOT EXISTS )?(\w+)")
_DROP = re.compile(r"^DROP TABLE (\{\w+\})$")
_NOT_COLUMNS = ("PRIMARY", "KEY", "UNIQUE")


def _tables(statements):
    """{table placeholder: set of columns} that ``statements`` leave."""
    tables = {}
    for st in statements:
        created = _CREATE.match(st)
        if created:
            cols = set()
            for line in created.group(2).split("\n"):
                line = line.strip()
                if not line or line.startswith("--") or line.split(" ")[0] in _NOT_COLUMNS:
                    continue
                if " AS (CASE" in line or line.startswith("THEN "):
                    continue  # MariaDB's generated columns for the partial indexes
                cols.add(line.split(" ")[0])
            tables[created.group(1)] = cols
        elif _ADD.match(st):
            table, col = _ADD.match(st).groups()
            tables[table].add(col)
        elif _DROP.match(st):
            tables.pop(_DROP.match(st).group(1))
    return tables


def test_mariadb_creates_the_same_tables_and_columns_as_the_other_databases():
    ours = _tables(schema.steps(MARIADB, 0))
    theirs = _tables(schema.steps(dialects.POSTGRES, 0))
    assert len(theirs) >= 15 and len(theirs["{status}"]) >= 35
    assert sorted(ours) == sorted(theirs)
    for table in theirs:
        assert ours[table] == theirs[table], table


def test_mariadb_tables_are_prefixed_in_the_connections_database():
    assert MARIADB.table("workflow_status") == "workflows_workflow_status"
    beside = dialects.layout("mariadb", dialects.BESIDE_UPSTREAM)
    assert beside.table("workflow_status") == "exchange_workflows_workflow_status"
    assert MARIADB.sql("SELECT 1 FROM {status}") == "SELECT 1 FROM workflows_workflow_status"
    created = [MARIADB.sql(st) for st in schema.steps(MARIADB, 0)
               if st.lstrip().startswith("CREATE TABLE")]
    assert len(created) >= 15
    for text in created:
        assert text.endswith("DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin"), text[:60]


@pytest.mark.parametrize("template, expected", [
    ("INSERT INTO {queues} (queue_name) VALUES (?) ON CONFLICT DO NOTHING",
     "INSERT INTO workflows_queues (queue_name) VALUES (?)"),
    ("INSERT INTO {enums} (a) SELECT ? FROM {enums} WHERE b = ? ON CONFLICT DO NOTHING "
     "RETURNING enum_version",
     "INSERT INTO workflows_recipe_enums (a) SELECT ? FROM workflows_recipe_enums "
     "WHERE b = ? RETURNING enum_version"),
    ("INSERT INTO {settings} (setting_key, value) VALUES (?, ?) ON CONFLICT (setting_key) "
     "DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms",
     "INSERT INTO workflows_settings (setting_key, value) VALUES (?, ?) ON DUPLICATE KEY "
     "UPDATE value = VALUES(value), updated_ms = VALUES(updated_ms)"),
    ("SELECT CAST(? AS VARCHAR(64)), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS INTEGER)",
     "SELECT CAST(? AS VARCHAR(64)), CAST(? AS SIGNED), CAST(? AS CHAR), CAST(? AS INTEGER)"),
])
def test_mariadb_respells_postgresql_forms(template, expected):
    assert MARIADB.sql(template) == expected


def test_other_dialects_keep_statements_as_written():
    template = "INSERT INTO {queues} (queue_name) VALUES (?) ON CONFLICT DO NOTHING"
    assert dialects.POSTGRES.sql(template).endswith("ON CONFLICT DO NOTHING")
    assert dialects.SQLITE.sql(template).endswith("ON CONFLICT DO NOTHING")


class _Recorder(object):
    """Stands in for a Store: records statements, answers SELECTs from ``rows``."""
    dialect = MARIADB

    def __init__(self, rows):
        self.rows = rows
        self.calls = []

    def query(self, template, args=(), tx=None):
        self.calls.append(("query", template, list(args)))
        return self.rows if template.endswith("FOR UPDATE") else [("returned",)] * len(self.rows)

    def update(self, template, args=(), tx=None):
        self.calls.append(("update", template, list(args)))
        return len(self.rows)


def test_update_returning_locks_updates_and_reads_back_the_same_rows():
    store = _Recorder([("w1",), ("w2",)])
    ds = standins.updateReturning(
        store, "UPDATE {status} SET status = ?, deadline_ms = CASE WHEN ? = 1 THEN 0 END "
        "WHERE claim_epoch = ? AND status IN ('HELD') RETURNING deadline_ms",
        ["RUNNING", 1, 7], tx="tx")
    assert len(ds) == 2
    (k1, lock, a1), (k2, upd, a2), (k3, read, a3) = store.calls
    assert lock == ("SELECT workflow_id FROM {status} WHERE claim_epoch = ? AND status IN "
                    "('HELD') FOR UPDATE") and a1 == [7]
    assert upd.startswith("UPDATE {status} FORCE INDEX (PRIMARY) SET status = ?, deadline_ms = "
                          "CASE WHEN ? = 1 THEN 0 END WHERE workflow_id IN (?, ?) AND "
                          "(claim_epoch = ?")
    assert a2 == ["RUNNING", 1, "w1", "w2", 7]
    assert read == "SELECT deadline_ms FROM {status} FORCE INDEX (PRIMARY) WHERE workflow_id IN (?, ?)"
    assert a3 == ["w1", "w2"]


def test_update_returning_with_a_composite_key_and_no_rows():
    store = _Recorder([("w1", 3)])
    standins.updateReturning(store, "UPDATE {mail} SET consumed_ms = ? WHERE workflow_id = ? "
                              "RETURNING seq", [5, "w1"], tx="tx")
    assert store.calls[0][1] == ("SELECT workflow_id, seq FROM {mail} FORCE INDEX (PRIMARY) "
                                 "WHERE workflow_id = ? FOR UPDATE")
    assert store.calls[1][1] == ("UPDATE {mail} FORCE INDEX (PRIMARY) SET consumed_ms = ? WHERE "
                                 "(workflow_id, seq) IN ((?, ?)) AND (workflow_id = ?)")
    assert store.calls[1][2] == [5, "w1", 3, "w1"]
    empty = _Recorder([])
    assert len(standins.updateReturning(empty, "UPDATE {queues} SET a = ? WHERE b = ? "
                                         "RETURNING c", [1, 2], tx="tx")) == 0
    assert [c[0] for c in empty.calls] == ["query"]


def test_a_claims_stand_in_finds_its_rows_by_primary_key_only():
    # Read along the status index, "status = 'ENQUEUED'" would lock the
    # waiting rows of every queue: claimers of two queues deadlocked.
    store = _Recorder([("w1",), ("w2",)])
    standins.updateReturning(store, "UPDATE {status} SET status = 'RUNNING', executor_id = ? "
                             "WHERE status = 'ENQUEUED' AND workflow_id IN (?, ?) RETURNING "
                             "workflow_id", ["gw", "w1", "w2"], tx="tx")
    lock, upd, read = [c[1] for c in store.calls]
    assert lock == ("SELECT workflow_id FROM {status} FORCE INDEX (PRIMARY) WHERE status = "
                    "'ENQUEUED' AND workflow_id IN (?, ?) FOR UPDATE")
    assert upd.startswith("UPDATE {status} FORCE INDEX (PRIMARY) SET status = 'RUNNING'")
    assert read.startswith("SELECT workflow_id FROM {status} FORCE INDEX (PRIMARY) WHERE ")
    # A WHERE that names no key column is left to the optimizer (forcing the
    # primary key there would read the whole table).
    assert not standins._byKey("claim_epoch = ? AND status IN ('HELD')", ("workflow_id",))
    assert not standins._byKey("parent_workflow_id = ?", ("workflow_id",))
    assert standins._byKey("queue_name = ?", ("queue_name",))
    # Other dialects' stand-ins (none runs UPDATE ... RETURNING this way today) get no hint.
    assert "keyHint" not in dialects.MSSQL.settings and "keyHint" not in dialects.POSTGRES.settings


def test_only_update_returning_is_stood_in_for():
    assert standins.isUpdateReturning("UPDATE {status} SET a = 1 WHERE b = 2 RETURNING c")
    assert not standins.isUpdateReturning("DELETE FROM {status} WHERE a = ? RETURNING b")
    assert not standins.isUpdateReturning("UPDATE {status} SET a = 1 WHERE b = 2")
    with pytest.raises(ValueError):
        standins.updateReturning(_Recorder([]), "UPDATE {audit} SET a = 1 WHERE b = 2 "
                                  "RETURNING c", [], tx="tx")


def test_versions_are_read_from_mariadb_and_sqlite_version_texts():
    assert dialects.versionTuple("10.11.19-MariaDB-0+deb12u1") == (10, 11)
    assert dialects.versionTuple("10.5.23-MariaDB") < dialects.MIN_MARIADB
    assert dialects.versionTuple("11.4.2-MariaDB-log") >= dialects.MIN_MARIADB
    assert dialects.versionTuple("3.45.1") >= dialects.MIN_SQLITE
    assert dialects.versionTuple("garbage") == (0, 0)
    assert dialects.DatabaseUnsupported.code == "DATABASE_UNSUPPORTED"
    assert "MariaDB 10.6" in dialects.SUPPORTED and "PostgreSQL" in dialects.SUPPORTED


class _Refusing(object):
    """Stands in for store/db.py's update: refuses the rows whose first
    argument is in ``taken`` (a unique index would), counts the others."""

    def __init__(self, taken):
        self.taken = taken
        self.statements = []

    def __call__(self, dbName, sql, args=(), tx=None):
        self.statements.append((sql, list(args)))
        width = sql.count("?") // max(1, sql.count("), (") + 1)
        firsts = list(args)[::width]
        if any(a in self.taken for a in firsts):
            raise db.UniqueViolation("duplicate entry")
        return len(firsts)


class _Handle(object):
    dbName = "DB"
    dialect = MARIADB


def test_do_nothing_skips_refused_rows_one_by_one_after_a_multi_row_refusal(monkeypatch):
    refusing = _Refusing({"b"})
    monkeypatch.setattr(db, "update", refusing)
    template = "INSERT INTO {queues} (queue_name, x) VALUES (?, ?), (?, ?), (?, ?) ON CONFLICT DO NOTHING"
    assert standins.update(_Handle(), template, ["a", 1, "b", 2, "c", 3], None) == 2
    sqls = [s for s, _ in refusing.statements]
    assert sqls[0] == ("INSERT INTO workflows_queues (queue_name, x) VALUES (?, ?), (?, ?), (?, ?)")
    assert sqls[1:] == ["INSERT INTO workflows_queues (queue_name, x) VALUES (?, ?)"] * 3
    assert [a for _, a in refusing.statements[1:]] == [["a", 1], ["b", 2], ["c", 3]]
    single = _Refusing({"a"})
    monkeypatch.setattr(db, "update", single)
    assert standins.update(_Handle(), "INSERT INTO {queues} (queue_name) SELECT ? WHERE 1 = 1 "
                           "ON CONFLICT DO NOTHING", ["a"], None) == 0
    assert len(single.statements) == 1


class _Refusal(Exception):
    def __init__(self, state, message):
        Exception.__init__(self, message)
        self.sqlState, self.driverMessage = state, message


def test_mariadb_refusals_name_the_column_or_key_never_the_value():
    from exchange.workflows.store import parked
    dup = _Refusal("23000", "(conn=7) Duplicate entry 'secret-value' for key 'wf_ws_dedup'")
    assert parked.isRowRefusal(dup)
    assert parked.reasonOf(dup) == ("an integrity constraint refused the row: key wf_ws_dedup "
                                    "(SQLState 23000)")
    null = _Refusal("23000", "(conn=7) Column 'queue_name' cannot be null")
    assert "queue_name" in parked.reasonOf(null)
    long = _Refusal("22001", "(conn=7) Data too long for column 'created_by' at row 1")
    assert parked.reasonOf(long).startswith("a text value is longer than its column")


def _answering(answers):
    """store.db's query as a server answers detect(): ``answers`` maps a
    statement to its one value; any other statement is refused as an unknown
    function would be."""
    def query(dbName, sql, args=(), tx=None):
        if sql in answers:
            return [[answers[sql]]]
        raise db.DatabaseError("FUNCTION %s does not exist" % sql[7:30])
    return query


@pytest.mark.parametrize("comment", ["MySQL Community Server - GPL",
                                     "MySQL Enterprise Server - Commercial",
                                     "Percona Server (GPL), Release '28', Revision '47601f19'"])
def test_mysql_is_refused_by_name_with_the_reason_and_what_is_supported(monkeypatch, comment):
    # MySQL's version() is a bare number; its version comment names it.
    monkeypatch.setattr(db, "query", _answering({"SELECT version()": "8.0.36",
                                                 "SELECT @@version_comment": comment}))
    with pytest.raises(dialects.DatabaseUnsupported) as refused:
        dialects.detect("WorkflowsDB")
    text = str(refused.value)
    assert text.startswith("Database 'WorkflowsDB' is MySQL 8.0.36; exchange.workflows does not "
                           "run on MySQL (the MariaDB dialect needs INSERT/DELETE ... RETURNING"), text
    assert text.endswith("Supported: " + dialects.SUPPORTED + "."), text
    assert "MariaDB 10.6 or newer" in text and refused.value.code == "DATABASE_UNSUPPORTED"


@pytest.mark.parametrize("answers, refusal", [
    # A MySQL built from source says only "Source distribution": refused all the same.
    ({"SELECT version()": "8.0.36", "SELECT @@version_comment": "Source distribution"},
     r"^Database 'DB' \(version 8\.0\.36\) is not one exchange\.workflows runs on\. Supported: "
     r"PostgreSQL 9\.6 or newer, MariaDB 10\.6 or newer, .* \(MySQL is not supported\)\.$"),
    ({"SELECT version()": "10.5.23-MariaDB-log"},
     r"is MariaDB 10\.5\.23-MariaDB-log; exchange\.workflows needs MariaDB 10\.6 or newer "
     r"\(SELECT \.\.\. FOR UPDATE SKIP LOCKED\)\. Supported:"),
    ({"SELECT version()": "PostgreSQL 9.5.25 on x86_64-pc-linux-gnu, compiled by gcc, 64-bit"},
     r"is PostgreSQL 9\.5; exchange\.workflows needs PostgreSQL 9\.6 or newer "
     r"\(idle_in_transaction_session_timeout\)"),
])
def test_other_servers_and_older_versions_are_refused_by_what_they_are(monkeypatch, answers,
                                                                        refusal):
    monkeypatch.setattr(db, "query", _answering(answers))
    with pytest.raises(dialects.DatabaseUnsupported, match=refusal):
        dialects.detect("DB")


@pytest.mark.parametrize("versionText, dialect", [
    ("PostgreSQL 15.18 on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit",
     dialects.POSTGRES),
    ("PostgreSQL 9.6.24 on x86_64-pc-linux-gnu, compiled by gcc, 64-bit", dialects.POSTGRES),
    ("PostgreSQL 16.2 (Debian 16.2-1.pgdg120+2) on x86_64-pc-linux-gnu", dialects.POSTGRES),
    ("10.11.19-MariaDB-0+deb12u1", MARIADB),
])
def test_supported_versions_are_recognised(monkeypatch, versionText, dialect):
    monkeypatch.setattr(db, "query", _answering({"SELECT version()": versionText}))
    assert dialects.detect("DB") is dialect


def test_a_caller_gets_the_refusal_as_database_unsupported(monkeypatch):
    from exchange.workflows.api import envelope
    monkeypatch.setattr(db, "query", _answering({"SELECT version()": "8.0.36",
                                                 "SELECT @@version_comment": "MySQL Community Server - GPL"}))
    answer = envelope.guarded(lambda: dialects.detect("WorkflowsDB"), "WorkflowsDB")
    assert answer["ok"] is False and answer["code"] == "DATABASE_UNSUPPORTED", answer
    assert "is MySQL 8.0.36" in answer["message"] and dialects.SUPPORTED in answer["message"]


def test_the_migration_commits_its_version_before_it_gives_its_lock_back(monkeypatch):
    # GET_LOCK is the session's, not the transaction's: given back before the
    # commit, the next gateway under it read no version row, migrated again
    # and failed on that row's key.
    from exchange.workflows.store import layout
    seen = []

    class _Transaction(object):
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return "tx"

        def __exit__(self, excType, exc, tb):
            seen.append("driver commit" if excType is None else "driver rollback")
            return False

    def query(dbName, sql, args=(), tx=None):
        seen.append(sql)
        return [] if "SELECT version FROM" in sql else [[1]]

    def update(dbName, sql, args=(), tx=None):
        seen.append(sql)
        return 1

    monkeypatch.setattr(db, "query", query)
    monkeypatch.setattr(db, "update", update)
    monkeypatch.setattr(db, "Transaction", _Transaction)
    monkeypatch.setattr(layout, "locate", lambda dbName, dialect, tx=None: None
                        if tx is None else layout.Layout("workflows", False))
    schema.ensure("DB", MARIADB)
    marks = [i for i, sql in enumerate(seen) if sql.startswith(("SELECT GET_LOCK",
                                                                  "INSERT INTO workflows_schema_meta",
                                                                  "COMMIT", "SELECT RELEASE_LOCK"))]
    assert [seen[i].split(" (")[0].split("(")[0] for i in marks] == [
        "SELECT GET_LOCK", "INSERT INTO workflows_schema_meta", "COMMIT", "SELECT RELEASE_LOCK"]
    assert seen[-1] == "driver commit"
