"""The Microsoft SQL Server (T-SQL) dialect (issue 14 item 3).

No SQL Server runs on these machines: every statement the store layer can
issue is rendered for the dialect and parsed by sqlglot's T-SQL parser. The
statements are collected by calling every store function against a fake
``store.db`` that records what would go to the server, and every call site
of ``store.query``/``store.update``/``db.query``/``db.update`` in the store
modules must have been reached, so a new statement cannot escape the check.
"""
import ast
import inspect
import os
import re
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STORE_DIR = os.path.join(ROOT, "scripts", "exchange", "workflows", "store")
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import sqlglot  # noqa: E402 (requirements-dev.txt)
from sqlglot import exp  # noqa: E402
from sqlglot.errors import ErrorLevel  # noqa: E402

from exchange.workflows.store import (  # noqa: E402
    audit, checkpoints, children, claims, db, ddl_mssql, dialects, events, executors, history,
    imports, layout, mailbox, params, parked, prompts, queues, retention, runs, schedules, schema,
    settings, standins, transitions)
from exchange.workflows.store.handle import Store  # noqa: E402

MSSQL = dialects.MSSQL

# The store modules whose statements go to the engine's database (upstream
# reads 0.3.6's tables, which exist only on PostgreSQL).
MODULES = (audit, checkpoints, children, claims, events, executors, history, imports, layout,
           mailbox, params, parked, prompts, queues, retention, runs, schedules, schema,
           settings, transitions)
_CALLERS = ("store", "db", "self")


def _callSites():
    """{(file, first line, last line)} of every query/update call in MODULES."""
    sites = set()
    for module in MODULES:
        path = module.__file__.replace(".pyc", ".py")
        tree = ast.parse(open(path).read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in ("query", "update") and \
                    isinstance(node.func.value, ast.Name) and node.func.value.id in _CALLERS:
                sites.add((os.path.basename(path), node.lineno, node.end_lineno))
    return sites


class _DataSet(list):
    """What system.db answers, as far as the store reads it."""

    def getRowCount(self):
        return len(self)


class _Recorder(object):
    """Stands in for store.db's query and update: records each statement
    with the store call site it came from, answers ``rows``."""

    def __init__(self):
        self.rows = []
        self.statements = []
        self.sites = set()

    def _record(self, sql, args):
        frame = sys._getframe(2)
        while frame is not None:
            name = os.path.basename(frame.f_code.co_filename)
            if frame.f_code.co_filename.startswith(STORE_DIR) and name not in (
                    "db.py", "handle.py", "standins.py"):
                self.sites.add((name, frame.f_lineno))
                break
            frame = frame.f_back
        self.statements.append((sql, list(args)))

    def query(self, dbName, sql, args=(), tx=None):
        self._record(sql, args)
        if self.rows and sql.startswith("SELECT COUNT("):
            return _DataSet([[0]])  # room in every queue (claims)
        return _DataSet(list(r) for r in self.rows)

    def update(self, dbName, sql, args=(), tx=None):
        self._record(sql, args)
        return len(self.rows)


class _Transaction(object):
    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return "tx"

    def __exit__(self, *exc):
        return False


class _Anything(dict):
    """A record of any shape: every attribute and key is a short text."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return 1 if name in ("allowed", "at_ms") else "x"

    def get(self, key, default=None):
        return dict.get(self, key, "x")


def _value(name, full):
    """A plausible argument for a parameter called ``name``."""
    lower = name.lower()
    if name == "store":
        return Store("DB", MSSQL)
    if name == "dbName":
        return "DB"
    if name == "dialect":
        return MSSQL
    if name == "tx":
        return "tx"
    if name == "filters":
        return _Anything(status=["RUNNING", "HELD"]) if full else {}
    if name == "record":
        return _Anything()
    if name in ("rows",):
        return [("a",) * 12, ("b",) * 12]
    if name == "row":
        return ["x"] * len(runs.INSERT_COLUMNS)
    if name == "values":
        return ["v"] * 40
    if name == "op":
        return _Anything()
    if name in ("fromStatuses",):
        return ["RUNNING", "HELD"]
    if name in ("transition", "step"):
        return _Anything()
    if lower.endswith("ids") or name in ("names", "seqs", "ids"):
        return ["a", "b"]
    if name in ("limit", "keepRows"):
        return 10
    if name in ("offset",):
        return 5
    if name in ("latestOnly", "hold", "propagate", "enabled", "timeoutIncludesHeld"):
        return bool(full)
    if lower.endswith("ms") or name in ("now", "epoch", "seq", "step", "version", "functionId",
                                          "subOffset", "afterSeq", "afterOffset", "leaseMs",
                                          "concurrency", "workerConcurrency", "rateLimit",
                                          "transitionSeq", "fromStep"):
        return 7
    return "x"


def _callEverything(recorder):
    for module in MODULES:
        for name, fn in sorted(vars(module).items()):
            if not inspect.isfunction(fn) or fn.__module__ != module.__name__ or \
                    name.startswith("_") or name in ("steps", "handlerBase", "isRowRefusal",
                                                      "reasonOf"):
                continue
            spec = inspect.getfullargspec(fn)
            required = len(spec.args) - len(spec.defaults or ())
            for rows in ([], [[7] * 80], [[7] * 80, [8] * 80]):
                for full in (False, True):
                    recorder.rows = rows
                    count = len(spec.args) if full else required
                    args = [_value(a, full) for a in spec.args[:count]]
                    _quietly(fn, *args)
    # Branches the generic arguments above do not take.
    store = Store("DB", MSSQL)
    for rows in ([], [[7] * 80]):
        recorder.rows = rows
        _quietly(checkpoints.record, store, "w", 1, (1, "step", "out", None, 1, 7, 8), "tx")
        _quietly(checkpoints.recordMany, store, [("w", 1, (1, "step", "out", None, 1, 7, 8))] * 3)
        _quietly(runs.setVisibleState, store, "w", 1, "HELD", 7, "tx")
        _quietly(runs.releaseWorker, store, "w", 1, 7, "RUNNING", runs.Wait("HOLD", 7, "x", None),
                 7)
        for toStatus in ("HELD", "RUNNING", "SUCCESS"):
            _quietly(transitions.end, store, "w", 1, _Anything(), "FAILED", "e", toStatus, "r",
                     7, "tx")
    _quietly(schema.ensure, "DB", MSSQL)
    # A database at version 1 (none exists on SQL Server yet: the path of a
    # later MIGRATIONS entry).
    recorder.rows = [[1]]
    _quietly(schema._migrate, store, "tx")


def _quietly(fn, *args):
    try:
        fn(*args)
    except Exception:  # noqa: BLE001 - the fake answers may not suit the caller
        pass


@pytest.fixture(scope="module")
def recorded():
    recorder = _Recorder()
    saved = (db.query, db.update, db.Transaction)
    db.query, db.update, db.Transaction = recorder.query, recorder.update, _Transaction
    try:
        _callEverything(recorder)
        # A migration from scratch: the DDL and the schema record.
        recorder.rows = []
        for st in schema.steps(MSSQL, 0):
            Store("DB", MSSQL).update(st)
    finally:
        db.query, db.update, db.Transaction = saved
    return recorder


# Calls that never run on SQL Server: MariaDB's release of its session lock,
# and the commit before it (SQL Server's application lock ends with the
# migration's transaction).
_NOT_FOR_MSSQL = (("schema.py", 'dialect.settings["migrationUnlock"]'),
                  ("schema.py", '"COMMIT"'))


def _notForMssql(site):
    lines = open(os.path.join(STORE_DIR, site[0])).read().split("\n")[site[1] - 1:site[2]]
    return any(f == site[0] and text in "\n".join(lines) for f, text in _NOT_FOR_MSSQL)


def test_every_store_statement_is_reached(recorded):
    assert not MSSQL.settings.get("migrationUnlock")
    reached = recorded.sites
    missing = sorted(site for site in _callSites() if not _notForMssql(site)
                     if not any(f == site[0] and site[1] <= line <= site[2]
                                for f, line in reached))
    assert not missing, "store calls never reached by the T-SQL check: %s" % missing
    assert len(recorded.statements) > 150


def _parse(sql):
    parsed = sqlglot.parse(sql, read="tsql", error_level=ErrorLevel.RAISE)
    for tree in parsed:
        # A statement sqlglot does not understand becomes a Command: not checked.
        assert tree is not None and not isinstance(tree, exp.Command), sql
    return parsed


def test_every_statement_parses_as_tsql(recorded):
    seen = set()
    for sql, _ in recorded.statements:
        if sql in seen:
            continue
        seen.add(sql)
        _parse(sql)
    assert len(seen) > 120


_FORBIDDEN = re.compile(r"\bRETURNING\b|\bLIMIT\b|\bON CONFLICT\b|\bSKIP LOCKED\b|\bFOR UPDATE\b"
                        r"|\bIF NOT EXISTS\b|\bIF EXISTS\b|\bexcluded\.|\bAS TEXT\b|[^\[]\boutput\b")


def test_no_postgresql_only_forms_are_left(recorded):
    for sql, _ in recorded.statements:
        if sql.startswith("MERGE "):
            assert sql.endswith(";") and " WITH (HOLDLOCK) " in sql, sql
            sql = sql.replace("excluded.", "")
        assert not _FORBIDDEN.search(sql), sql
        if "FETCH NEXT" in sql:
            assert " ORDER BY " in sql, sql


def test_returning_became_output(recorded):
    outputs = [sql for sql, _ in recorded.statements if " OUTPUT " in sql]
    assert any(s.startswith("UPDATE workflows.queues SET last_claim_ms = ? OUTPUT "
                            "inserted.concurrency") for s in outputs)
    assert any(s.startswith("DELETE workflows.workflow_status OUTPUT deleted.workflow_id WHERE ")
               for s in outputs)
    assert any(s.startswith("INSERT INTO workflows.recipe_templates (") and
               " OUTPUT inserted.template_version SELECT " in s for s in outputs)
    assert len(outputs) >= 15
    # The reserved word is quoted where the column is named.
    assert any(" [output] = ?" in sql for sql, _ in recorded.statements)


def test_claims_skip_locked_rows_with_table_hints(recorded):
    picks = [sql for sql, _ in recorded.statements
             if sql.startswith("SELECT w.workflow_id, w.partition_key FROM ")]
    assert picks
    for sql in picks:
        assert sql.startswith("SELECT w.workflow_id, w.partition_key FROM "
                              "workflows.workflow_status w WITH (UPDLOCK, READPAST, ROWLOCK) WHERE ")
        assert sql.endswith(" ORDER BY w.priority, w.created_ms, w.workflow_id "
                            "OFFSET 0 ROWS FETCH NEXT ? ROWS ONLY")


def test_upserts_are_merges(recorded):
    merges = [sql for sql, _ in recorded.statements if sql.startswith("MERGE ")]
    assert any(s.startswith("MERGE INTO workflows.settings WITH (HOLDLOCK) AS tgt USING "
                            "(VALUES (?, ?, ?, ?)) AS excluded (setting_key, value, updated_by, "
                            "updated_ms) ON tgt.setting_key = excluded.setting_key WHEN MATCHED "
                            "THEN UPDATE SET value = excluded.value") for s in merges)
    assert any(" USING (SELECT ?, ?, ?, ? FROM workflows.workflow_status WHERE " in s
               for s in merges)
    assert len(merges) >= 4


def test_limit_offset_values_are_swapped_for_offset_fetch(monkeypatch):
    recorder = _Recorder()
    monkeypatch.setattr(db, "query", recorder.query)
    store = Store("DB", MSSQL)
    store.query("SELECT a FROM {audit} WHERE b = ? ORDER BY a LIMIT ? OFFSET ?", ["b", 10, 30])
    sql, args = recorder.statements[0]
    assert sql == ("SELECT a FROM workflows.audit WHERE b = ? ORDER BY a "
                   "OFFSET ? ROWS FETCH NEXT ? ROWS ONLY")
    assert args == ["b", 30, 10]
    assert standins.limitOffsetSwapped("x ? LIMIT ? OFFSET ?", [1, 2, 3]) == [1, 3, 2]


def test_large_multi_row_inserts_are_split_under_the_parameter_limit(monkeypatch):
    recorder = _Recorder()
    recorder.rows = [[1]]  # each statement "inserts one row"
    monkeypatch.setattr(db, "update", recorder.update)
    width = len(runs.INSERT_COLUMNS)
    rows = [tuple("r%d" % i for _ in range(width)) for i in range(1000)]
    runs.insert(Store("DB", MSSQL), rows)
    sizes = [len(args) for _, args in recorder.statements]
    assert sum(sizes) == width * 1000 and max(sizes) <= 2000
    assert all(sql.count("?") == len(args) for sql, args in recorder.statements)
    assert [a for _, args in recorder.statements for a in args] == [v for r in rows for v in r]
    for sql, _ in recorder.statements[:1]:
        _parse(sql)


def test_retention_deletes_in_lists_under_the_parameter_limit(monkeypatch):
    recorder = _Recorder()
    monkeypatch.setattr(db, "query", recorder.query)
    monkeypatch.setattr(db, "update", recorder.update)
    monkeypatch.setattr(db, "Transaction", _Transaction)
    ids = ["w%d" % i for i in range(4500)]
    retention.delete(Store("DB", MSSQL), ids)
    lists = [args for sql, args in recorder.statements]
    assert [len(a) for a in lists] == [2000, 2000, 500]
    assert [a for args in lists for a in args] == ids
    recorder.statements = []
    retention.delete(Store("DB", dialects.POSTGRES), ids)
    assert [len(args) for _, args in recorder.statements] == [4500]


def test_do_nothing_inserts_take_a_refusal_for_nothing_inserted(monkeypatch):
    def refusing(dbName, sql, args=(), tx=None):
        raise db.UniqueViolation("Violation of PRIMARY KEY constraint 'wf_pk_queues'. "
                                 "Cannot insert duplicate key in object 'workflows.queues'.")
    monkeypatch.setattr(db, "update", refusing)
    monkeypatch.setattr(db, "query", refusing)
    store = Store("DB", MSSQL)
    assert store.update("INSERT INTO {queues} (queue_name) VALUES (?) ON CONFLICT DO NOTHING",
                        ["q"]) == 0
    assert list(store.query("INSERT INTO {enums} (enum_name) SELECT ? ON CONFLICT DO NOTHING "
                            "RETURNING enum_version", ["e"])) == []


def test_sql_server_refusals_are_classified():
    class Refusal(Exception):
        def __init__(self, state, message):
            Exception.__init__(self, message)
            self.sqlState = state

    dup = Refusal("23000", "Cannot insert duplicate key row in object 'workflows.workflow_status' "
                           "with unique index 'wf_ws_partition'. The duplicate key value is (p).")
    assert isinstance(db.translate(dup, "DB"), db.UniqueViolation)
    late = Refusal("S0001", "Lock request time out period exceeded.")
    assert isinstance(db.translate(late, "DB"), db.LockTimeout)
    victim = Refusal("40001", "Transaction (Process ID 57) was deadlocked on lock resources with "
                              "another process and has been chosen as the deadlock victim.")
    assert isinstance(db.translate(victim, "DB"), db.LockTimeout)


def test_settings_statements_parse():
    for key in ("createSchema", "columnsOf", "migrationLock", "txPrelude", "txEpilogue"):
        _parse(MSSQL.settings[key])
    _parse("SELECT " + MSSQL.settings["dbNowMs"])
    assert "SYSUTCDATETIME()" in MSSQL.settings["dbNowMs"]
    assert "@LockOwner = 'Transaction'" in MSSQL.settings["migrationLock"]


def test_every_migration_has_its_sql_server_counterpart():
    missing = [n for n in range(ddl_mssql.BASE_VERSION + 1, schema.LATEST + 1)
               if n not in ddl_mssql.MIGRATIONS]
    assert not missing, "store/ddl_mssql.py MIGRATIONS lacks version(s) %s" % missing
    assert ddl_mssql.BASE_VERSION <= schema.LATEST
    from exchange.workflows.core.errors import DatabaseError
    with pytest.raises(DatabaseError, match="schema version %d has no SQL Server" % (
            schema.LATEST + 1)):
        ddl_mssql.steps(schema.LATEST, schema.LATEST + 1)


def _tables(statements):
    """{table: set of columns} and {index name: CREATE INDEX text}."""
    tables, indexes = {}, {}
    for st in statements:
        tree = _parse(st)[0]
        if isinstance(tree, exp.Create) and tree.kind == "TABLE":
            schemaNode = tree.this
            cols = set(c.name.lower() for c in schemaNode.expressions
                       if isinstance(c, exp.ColumnDef))
            tables[schemaNode.this.name] = cols
        elif isinstance(tree, exp.Alter) and tree.args.get("kind") == "TABLE":
            # A later migration's ALTER TABLE ... ADD columns.
            tables[tree.this.name].update(c.name.lower() for c in tree.args.get("actions") or ()
                                          if isinstance(c, exp.ColumnDef))
        elif isinstance(tree, exp.Create) and tree.kind == "INDEX":
            indexes[tree.this.name] = st
    return tables, indexes


def test_sql_server_creates_the_same_tables_columns_and_indexes():
    ours, ourIndexes = _tables([MSSQL.sql(st) for st in schema.steps(MSSQL, 0)])
    theirs = {}
    for st in schema.steps(dialects.POSTGRES, 0):
        if st.lstrip().startswith("CREATE TABLE"):
            name = re.search(r"\{(\w+)\}", st).group(1)
            theirs.setdefault(name, None)
    pgTables = _pgColumns()
    assert sorted(ours) == sorted(dialects.TABLES[k] for k in pgTables)
    for key, cols in pgTables.items():
        assert ours[dialects.TABLES[key]] == cols, key
    pgIndexes = set(re.findall(r"INDEX IF NOT EXISTS \{ix\}(\w+)",
                               " ".join(schema.steps(dialects.POSTGRES, 0))))
    pgIndexes -= set(re.findall(r"DROP INDEX IF EXISTS \{ixq\}(\w+)$",
                                " ".join(schema.steps(dialects.POSTGRES, 0))))
    assert set(n[len("wf_"):] for n in ourIndexes) >= pgIndexes
    partition = ourIndexes["wf_ws_partition"]
    assert partition.startswith("CREATE UNIQUE INDEX wf_ws_partition ON workflows.workflow_status "
                                "(partition_key) WHERE partition_key IS NOT NULL AND status IN (")
    dedup = ourIndexes["wf_ws_dedup"]
    assert dedup.startswith("CREATE UNIQUE INDEX wf_ws_dedup ON workflows.workflow_status "
                            "(queue_name, deduplication_id) WHERE deduplication_id IS NOT NULL")
    from exchange.workflows.core import states
    for status in states.OWNED:
        assert "'%s'" % status in partition
    for status in states.ACTIVE:
        assert "'%s'" % status in dedup


def _pgColumns():
    """{table key: columns} the PostgreSQL migrations leave."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "mariadb_checks", os.path.join(os.path.dirname(__file__), "test_dialect_mariadb.py"))
    checks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(checks)
    found = checks._tables(schema.steps(dialects.POSTGRES, 0))
    return dict((k.strip("{}"), set(v)) for k, v in found.items())


# T-SQL's reserved keywords that could be a column's name.
_RESERVED = set("""add all alter and any as asc authorization backup begin between break browse
bulk by cascade case check checkpoint close clustered coalesce collate column commit compute
constraint contains continue convert create cross current current_date current_time
current_timestamp current_user cursor database dbcc deallocate declare default delete deny desc
disk distinct distributed double drop dump else end errlvl escape except exec execute exists exit
external fetch file fillfactor for foreign freetext from full function goto grant group having
holdlock identity identitycol if in index inner insert intersect into is join key kill left like
lineno load merge national nocheck nonclustered not null nullif of off offsets on open option or
order outer over percent pivot plan precision primary print proc procedure public raiserror read
readtext reconfigure references replication restore restrict return revert revoke right rollback
rowcount rowguidcol rule save schema select session_user set setuser shutdown some statistics
system_user table tablesample textsize then to top tran transaction trigger truncate tsequal
union unique unpivot update updatetext use user values varying view waitfor when where while with
writetext output""".split())


def test_no_column_is_named_by_a_reserved_word_unquoted(recorded):
    ours, _ = _tables([MSSQL.sql(st) for st in schema.steps(MSSQL, 0)])
    named = set(c for cols in ours.values() for c in cols)
    assert named & _RESERVED == set(["output"])
    for sql, _ in recorded.statements:
        assert not re.search(r"(?<!\[)\boutput\b(?!\])", sql), sql
    assert MSSQL.sql("SELECT value FROM {meta} WHERE key = ?") == (
        "SELECT value FROM workflows.schema_meta WHERE [key] = ?")


def test_sql_server_types():
    created = [MSSQL.sql(st) for st in schema.steps(MSSQL, 0) if "CREATE TABLE" in st]
    text = "\n".join(created)
    assert "LONGTEXT" not in text and " TEXT" not in text and "VARCHAR(" in text
    assert " VARCHAR(" not in text.replace(" NVARCHAR(", "")
    assert "NVARCHAR(MAX)" in text and "BIGINT" in text
    assert "[output] NVARCHAR(MAX)" in text


def test_schema_record_statements():
    created = MSSQL.sql(schema._META)
    assert created.startswith("IF OBJECT_ID(N'workflows.schema_meta', N'U') IS NULL CREATE TABLE "
                              "workflows.schema_meta (")
    _parse(created)
    beside = dialects.Dialect(MSSQL.name, MSSQL.tableFormat, MSSQL.given,
                              dialects.BESIDE_UPSTREAM)
    assert beside.settings["createSchema"] == ("IF SCHEMA_ID(N'exchange_workflows') IS NULL "
                                               "EXEC(N'CREATE SCHEMA exchange_workflows')")


def _sqlServer(versionText):
    """store.db's query as a SQL Server answers detect(): it knows neither
    sqlite_version() nor version(), and says ``versionText`` for @@VERSION."""
    def query(dbName, sql, args=(), tx=None):
        if sql == "SELECT @@VERSION":
            return _DataSet([[versionText]])
        raise db.DatabaseError("'%s' is not a recognized built-in function name." % sql[7:14])
    return query


@pytest.mark.parametrize("versionText", [
    "Microsoft SQL Server 2016 (SP1) (KB3182545) - 13.0.4001.0 (X64) \n\tOct 28 2016 18:17:30",
    "Microsoft SQL Server 2019 (RTM-CU22) (KB5027702) - 15.0.4322.2 (X64) Jul 27 2023",
    "Microsoft SQL Server 2022 (RTM) - 16.0.1000.6 (X64) Oct  8 2022 05:58:25",
    "Microsoft SQL Azure (RTM) - 12.0.2000.8 \n\tMay 29 2024 17:29:39",
])
def test_sql_server_2016_and_newer_is_recognised(monkeypatch, versionText):
    monkeypatch.setattr(db, "query", _sqlServer(versionText))
    assert dialects.detect("DB") is MSSQL


def test_older_sql_server_is_refused_by_name(monkeypatch):
    monkeypatch.setattr(db, "query", _sqlServer(
        "Microsoft SQL Server 2014 (SP3) (KB4022619) - 12.0.6024.0 (X64) Sep  7 2018"))
    with pytest.raises(dialects.DatabaseUnsupported,
                       match=r"is Microsoft SQL Server 12\.0; exchange.workflows needs Microsoft "
                             r"SQL Server 13\.0 or newer .*Supported: PostgreSQL 9\.6 or newer, MariaDB 10\.6 "
                             r"or newer, Microsoft SQL Server 2016 or newer"):
        dialects.detect("DB")


def test_a_database_that_is_none_of_them_is_refused(monkeypatch):
    monkeypatch.setattr(db, "query", _sqlServer("8.0.36"))  # MySQL answers @@VERSION too
    with pytest.raises(dialects.DatabaseUnsupported, match=r"MySQL is not supported\)"):
        dialects.detect("DB")


_PICK = ("SELECT w.workflow_id, w.partition_key FROM %(status)s w%(hint)s WHERE w.status = 'ENQUEUED' "
         "AND w.queue_name = ? AND w.workflow_name IN (?) AND (w.partition_key IS NULL OR NOT "
         "EXISTS (SELECT 1 FROM %(status)s a WHERE a.partition_key = w.partition_key AND a.status "
         "IN %(owned)s)) ORDER BY w.priority, w.created_ms, w.workflow_id %(limit)s")


@pytest.mark.parametrize("name, status, hint, limit", [
    ("postgresql", "workflows.workflow_status", "", "LIMIT ? FOR UPDATE SKIP LOCKED"),
    ("sqlite", "workflows_workflow_status", "", "LIMIT ?"),
    ("mariadb", "workflows_workflow_status", "", "LIMIT ? FOR UPDATE SKIP LOCKED"),
    ("mssql", "workflows.workflow_status", " WITH (UPDLOCK, READPAST, ROWLOCK)",
     "OFFSET 0 ROWS FETCH NEXT ? ROWS ONLY"),
])
def test_the_claim_is_spelled_per_dialect_and_unchanged_for_the_others(monkeypatch, name, status,
                                                                        hint, limit):
    from exchange.workflows.store import statuses
    recorder = _Recorder()
    recorder.rows = [[None] * 20]  # a queue without limits
    monkeypatch.setattr(db, "query", recorder.query)
    monkeypatch.setattr(db, "update", recorder.update)
    monkeypatch.setattr(db, "Transaction", _Transaction)
    claims.claim(Store("DB", dialects._BY_NAME[name]), "q", "gw", ["flow"], None, 4, 7)
    picks = [sql for sql, _ in recorder.statements if sql.startswith("SELECT w.workflow_id")]
    assert picks == [_PICK % {"status": status, "hint": hint, "owned": statuses.OWNED,
                              "limit": limit}]


@pytest.mark.parametrize("template, expected", [
    ("SELECT a FROM {audit} ORDER BY a LIMIT ? OFFSET ?",
     {"postgresql": "SELECT a FROM workflows.audit ORDER BY a LIMIT ? OFFSET ?",
      "sqlite": "SELECT a FROM workflows_audit ORDER BY a LIMIT ? OFFSET ?",
      "mariadb": "SELECT a FROM workflows_audit ORDER BY a LIMIT ? OFFSET ?"}),
    ("UPDATE {status} SET output = ? WHERE workflow_id = ? RETURNING status",
     {"postgresql": "UPDATE workflows.workflow_status SET output = ? WHERE workflow_id = ? "
                    "RETURNING status",
      "sqlite": "UPDATE workflows_workflow_status SET output = ? WHERE workflow_id = ? "
                "RETURNING status",
      "mariadb": "UPDATE workflows_workflow_status SET output = ? WHERE workflow_id = ? "
                 "RETURNING status"}),
    ("INSERT INTO {settings} (setting_key, value) VALUES (?, ?) ON CONFLICT (setting_key) "
     "DO UPDATE SET value = excluded.value",
     {"postgresql": "INSERT INTO workflows.settings (setting_key, value) VALUES (?, ?) ON "
                    "CONFLICT (setting_key) DO UPDATE SET value = excluded.value",
      "sqlite": "INSERT INTO workflows_settings (setting_key, value) VALUES (?, ?) ON "
                "CONFLICT (setting_key) DO UPDATE SET value = excluded.value",
      "mariadb": "INSERT INTO workflows_settings (setting_key, value) VALUES (?, ?) ON "
                 "DUPLICATE KEY UPDATE value = VALUES(value)"}),
])
def test_other_dialects_statements_are_unchanged(template, expected):
    for name, text in expected.items():
        assert dialects._BY_NAME[name].sql(template) == text
    _parse(MSSQL.sql(template))
