"""Table names of the two layouts (issue 13 item 4): schema "workflows", or
"exchange_workflows" beside ignition-workflows 0.3.6's tables."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))

from exchange.workflows.store import dialects  # noqa: E402


def test_the_default_layout_keeps_the_names_existing_databases_have():
    assert dialects.layout("postgresql", "workflows") is dialects.POSTGRES
    assert dialects.layout("sqlite", "workflows") is dialects.SQLITE
    assert dialects.POSTGRES.names["status"] == "workflows.workflow_status"
    assert dialects.SQLITE.names["meta"] == "workflows_schema_meta"
    assert dialects.POSTGRES.names["ix"] == dialects.SQLITE.names["ix"] == "wf_"
    assert dialects.POSTGRES.settings["createSchema"] == "CREATE SCHEMA IF NOT EXISTS workflows"


def test_beside_0_3_6_every_table_index_and_the_schema_move():
    pg = dialects.layout("postgresql", dialects.BESIDE_UPSTREAM)
    lite = dialects.layout("sqlite", dialects.BESIDE_UPSTREAM)
    assert dialects.layout("postgresql", dialects.BESIDE_UPSTREAM) is pg  # one per layout
    for key, table in dialects.TABLES.items():
        assert pg.names[key] == "exchange_workflows." + table
        assert lite.names[key] == "exchange_workflows_" + table
    assert pg.settings["createSchema"] == "CREATE SCHEMA IF NOT EXISTS exchange_workflows"
    assert lite.settings["createSchema"] == ""
    # PostgreSQL indexes live in their table's schema; SQLite's share one
    # namespace with whatever uses the prefix "workflows_".
    assert pg.names["ix"] == "wf_"
    assert lite.names["ix"] == "exchange_workflows_wf_"
    sql = "SELECT 1 FROM {status} s JOIN {ops} o ON 1=1"
    assert pg.sql(sql) == ("SELECT 1 FROM exchange_workflows.workflow_status s "
                           "JOIN exchange_workflows.operation_outputs o ON 1=1")
    assert dialects.POSTGRES.sql(sql).startswith("SELECT 1 FROM workflows.workflow_status")
    assert pg.settings["migrationLock"] == dialects.POSTGRES.settings["migrationLock"]
