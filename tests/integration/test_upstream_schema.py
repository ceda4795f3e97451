"""Issue 13 item 4: the engine on a database that holds ignition-workflows
0.3.6's tables, through tools/gwsim on SQLite and PostgreSQL.

0.3.6 keeps its tables in the schema "workflows", where ours went too. Here
our tables go to "exchange_workflows", decided by every gateway from the
database alone, and 0.3.6's rows, columns and indexes stay exactly as they
were. A database of ours keeps its tables in "workflows"; foreign tables
where ours belong are refused with SCHEMA_INCOMPATIBLE.

0.3.6 ran only on PostgreSQL. On SQLite the test gives the same tables the
prefix "workflows_" (SQLite's stand-in for the schema), which exercises the
engine's prefix layout "exchange_workflows_".
"""
from tests.support import db as dbq
from tests.support.upstream036 import TABLES as UPSTREAM_TABLES
from tests.support.upstream036 import fixture as _fixture
from tests.support.upstream036 import ident as _ident
from tests.support.upstream036 import snapshot as _snapshot

GATEWAY_TIMEOUT = 240


def _our_tables(db_url, schema):
    """Names of tables in ``schema`` (SQLite: with its prefix)."""
    if dbq.kind_of(db_url) == "postgresql":
        return [r[0] for r in dbq.query(db_url, "SELECT table_name FROM information_schema.tables "
                                                "WHERE table_schema = '%s'" % schema)]
    return [r[0] for r in dbq.query(db_url, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name LIKE '%s\\_%%' ESCAPE '\\'" % schema)]


def _use(gwsim, db_url, schema, upstream, prior=()):
    r = gwsim.run("upstream_schema.py", db_url, timeout=GATEWAY_TIMEOUT,
                  args=["use", schema, "yes" if upstream else "no", ",".join(prior)])
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
    return r.result


def test_beside_0_3_6_tables_two_gateways_agree_and_leave_them_untouched(gwsim, db_url):
    dbq.execute(db_url, _fixture(db_url))
    before = _snapshot(db_url)
    assert before["workflow_status"]["rows"] == 3 and before["operation_outputs"]["rows"] == 3

    # Two gateways starting at once on a database that has 0.3.6's tables and
    # none of ours: both choose exchange_workflows, one creates it.
    args = ["use", "exchange_workflows", "yes", ""]
    gateways = [gwsim.start("upstream_schema.py", db_url, args=args, mode="exec")
                for _ in range(2)]
    ids = []
    for gw in gateways:
        result = gw.wait_for_result(timeout=GATEWAY_TIMEOUT)
        assert gw.wait(60) == 0, gw.tail()
        assert result.get("ok") is True and not result.get("failures"), gw.tail()
        ids.append(result["workflowId"])
    assert dbq.query(db_url, "SELECT id, version FROM %s" % _ident(
        db_url, "exchange_workflows", "schema_meta"))[0][0] == "1"
    assert _snapshot(db_url) == before

    # A later gateway checks the record first, and sees both gateways' runs.
    _use(gwsim, db_url, "exchange_workflows", True, ids)
    assert _snapshot(db_url) == before

    # After the site drops 0.3.6's tables the engine stays where its runs are.
    dbq.execute(db_url, ";".join("DROP TABLE %s" % _ident(db_url, "workflows", t)
                                 for t in UPSTREAM_TABLES))
    _use(gwsim, db_url, "exchange_workflows", False, ids)


def test_a_database_of_ours_keeps_its_tables_in_workflows(gwsim, db_url):
    first = _use(gwsim, db_url, "workflows", False)
    _use(gwsim, db_url, "workflows", False, [first["workflowId"]])
    assert _our_tables(db_url, "exchange_workflows") == []
    assert len(_our_tables(db_url, "workflows")) >= 11


def test_foreign_tables_where_ours_belong_answer_schema_incompatible(gwsim, db_url):
    table = _ident(db_url, "workflows", "workflow_status")
    if dbq.kind_of(db_url) == "postgresql":
        dbq.execute(db_url, "CREATE SCHEMA workflows")
    dbq.execute(db_url, "CREATE TABLE %s (line_id INTEGER, note TEXT);"
                        "INSERT INTO %s VALUES (1, 'not a workflow');" % (table, table))
    r = gwsim.run("upstream_schema.py", db_url, args=["refused", table], timeout=GATEWAY_TIMEOUT)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
    assert dbq.query(db_url, "SELECT line_id, note FROM %s" % table) == [("1", "not a workflow")]
    assert _our_tables(db_url, "exchange_workflows") == []
