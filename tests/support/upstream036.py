"""A database as ignition-workflows 0.3.6 leaves it, for tests: its DDL and
a few rows (tests/fixtures/upstream036_postgresql.sql), on PostgreSQL as
written and on SQLite with the prefix ``workflows_`` standing in for the
schema (0.3.6 itself ran only on PostgreSQL)."""
import hashlib
import os
import re

from tests.support import db as dbq

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures",
                       "upstream036_postgresql.sql")
TABLES = ("schema_meta", "workflow_status", "operation_outputs", "notifications",
          "workflow_events", "workflow_events_history", "streams", "stream_heads",
          "param_templates", "retention_config", "param_enums")


def ident(db_url, schema, table):
    """``schema.table`` on PostgreSQL, ``schema_table`` on SQLite."""
    sep = "." if dbq.kind_of(db_url) == "postgresql" else "_"
    return schema + sep + table


def sql_for(db_url, text):
    """PostgreSQL text written against 0.3.6's schema ``workflows``, as the
    database behind ``db_url`` takes it."""
    if dbq.kind_of(db_url) == "postgresql":
        return text
    text = text.replace("CREATE SCHEMA workflows;", "")
    text = text.replace("workflows.", "workflows_")
    text = text.replace("BIGSERIAL PRIMARY KEY", "INTEGER PRIMARY KEY AUTOINCREMENT")
    return re.sub(r"\bUUID\b", "TEXT", text)


def fixture(db_url):
    """The fixture's DDL and rows for ``db_url``'s kind of database."""
    return sql_for(db_url, open(FIXTURE).read())


def load(db_url):
    """Creates 0.3.6's tables with the fixture's rows."""
    dbq.execute(db_url, fixture(db_url))


def _columns(db_url, schema, table):
    if dbq.kind_of(db_url) == "postgresql":
        return dbq.query(db_url, "SELECT column_name, data_type, is_nullable, column_default "
                                 "FROM information_schema.columns WHERE table_schema = '%s' "
                                 "AND table_name = '%s' ORDER BY ordinal_position" % (schema, table))
    return dbq.query(db_url, "SELECT name, type, \"notnull\", dflt_value, pk "
                             "FROM pragma_table_info('%s') ORDER BY cid" % ident(db_url, schema, table))


def _indexes(db_url, schema, table):
    if dbq.kind_of(db_url) == "postgresql":
        return dbq.query(db_url, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                                 "'%s' AND tablename = '%s' ORDER BY indexname" % (schema, table))
    return dbq.query(db_url, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                             "tbl_name = '%s' ORDER BY name" % ident(db_url, schema, table))


def snapshot(db_url):
    """Per 0.3.6 table: its columns, its indexes, its row count and a checksum of its rows."""
    snap = {}
    for table in TABLES:
        rows = dbq.query(db_url, "SELECT * FROM %s" % ident(db_url, "workflows", table))
        digest = hashlib.sha256(repr(sorted(rows, key=repr)).encode("utf-8")).hexdigest()
        snap[table] = {"columns": _columns(db_url, "workflows", table),
                       "indexes": _indexes(db_url, "workflows", table),
                       "rows": len(rows), "sha256": digest}
    return snap
