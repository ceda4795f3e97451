"""One gateway on a database that may hold ignition-workflows 0.3.6's tables
(issue 13 item 4): checkSchema says where our tables are and whether 0.3.6's
were found, and the engine works there.

    upstream_schema.py use SCHEMA UPSTREAM [PRIOR_IDS]
        SCHEMA: the schema (SQLite: prefix) our tables must be in;
        UPSTREAM: "yes" or "no", whether checkSchema must report 0.3.6's;
        PRIOR_IDS: comma-separated runs of earlier gateways, which must still
        be SUCCESS here. Then a run of its own to SUCCESS.
    upstream_schema.py refused TABLE
        the database holds foreign tables: every call answers
        SCHEMA_INCOMPATIBLE naming TABLE, never a column error.
"""
from __future__ import print_function

import sys

import exchange.workflows.api.admin as admin
import flows
from wfkit import bad, check, dispatch, finish, ok, started, svc, wait_for

mode = sys.argv[1]

if mode == "refused":
    table = sys.argv[2]
    for resp, what in ((admin.checkSchema(), "checkSchema"),
                       (svc.start("t.noop", {"x": 1}), "start"),
                       (svc.listRuns(), "listRuns")):
        bad(resp, "SCHEMA_INCOMPATIBLE", what)
        text = resp.get("message") or ""
        print("REFUSED", what, text)
        check(table in text and "dbName" in text,
              "%s names the table and what to do" % what, text)
        check("SQLState" not in text, "%s is not a raw database error" % what, text)
    finish()

expect, upstream = sys.argv[2], sys.argv[3] == "yes"
prior = [w for w in (sys.argv[4] if len(sys.argv) > 4 else "").split(",") if w]

schema = ok(admin.checkSchema(), "SCHEMA_OK") or {}
check(schema.get("schemaName") == expect, "our tables are in %s" % expect, schema)
check(schema.get("version") == schema.get("latest") == schema.get("schemaVersion"),
      "schema current, schemaVersion as 0.3.6 named it", schema)
report = schema.get("upstreamSchema") or {}
check(report.get("found") is upstream and report.get("schemaName") == "workflows",
      "0.3.6's schema reported found=%s" % upstream, report)
check(report.get("version") == ("1" if upstream else None), "0.3.6's own version reported", report)
status_table = flows.STATUS_TABLE()
check(status_table in (expect + ".workflow_status", expect + "_workflow_status"),
      "the engine's statements use %s" % expect, status_table)

for wid in prior:
    row = svc.getWorkflow(wid).get("data") or {}
    check(row.get("status") == "SUCCESS", "run %s of an earlier gateway is here" % wid, row)

flows.ensure_tables()
wid = started("t.steps", {"n": 2})


def done():
    dispatch()
    row = svc.getWorkflow(wid).get("data") or {}
    return row if row.get("status") in ("SUCCESS", "ERROR", "DEAD_LETTER") else None


row = wait_for(done, 60, 0.1, "run %s to finish" % wid) or {}
check(row.get("status") == "SUCCESS" and row.get("output") == {"total": 1},
      "a run to SUCCESS", row)
steps = ok(svc.getSteps(wid), "STEPS_LISTED") or []
check(len(steps) >= 2, "its steps recorded", steps)
finish(schemaName=schema.get("schemaName"), workflowId=wid, statusTable=status_table)
