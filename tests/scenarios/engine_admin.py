"""Admin: schema, maintenance (drain, cancel) shared through the database,
retention by row count and by age, runtime diagnostics."""
from __future__ import print_function

import time

import exchange.workflows.api.admin as admin
import flows
from wfkit import check, dispatch, finish, ok, sql, started, svc, update, wait_status

flows.ensure_tables()
schema = ok(admin.checkSchema(), "SCHEMA_OK")
check(schema["version"] == schema["latest"] >= 2, "schema migrated to the latest version", schema)

# Drain: nothing new is claimed, running runs finish, starts still queue.
running = started("t.sleeper", {"total_ms": 800})
wait_status(running, "RUNNING", 5)
ok(admin.setMaintenance("drain", reason="upgrade", user="admin"), "MAINTENANCE_SET")
queued = started("t.noop", {"x": 1})
for _ in range(3):
    dispatch()
time.sleep(0.3)
check(svc.getWorkflow(queued)["data"]["status"] == "ENQUEUED", "drain claims nothing new")
check(wait_status(running, "SUCCESS", 5)["status"] == "SUCCESS", "drain lets running runs finish")
m = ok(admin.getMaintenance(), "MAINTENANCE_STATUS")
check(m["mode"] == "drain" and m["reason"] == "upgrade" and m["updatedBy"] == "admin", "mode stored", m)
check(flows.system.db.runPrepQuery("SELECT COUNT(*) FROM %s" % flows._table("settings"), [],
                                   "WorkflowsDB")[0][0] >= 1, "maintenance lives in the database")
ok(admin.setMaintenance(None), "MAINTENANCE_SET")
dispatch()
wait_status(queued, "SUCCESS", 5)

# Cancel: every active run is cancelled, then the database stays drained.
ok(admin.configureQueue("idle", concurrency=1), "QUEUE_CONFIGURED")
a = started("t.sleeper", {"total_ms": 30000}, queueName="idle")
b = started("t.noop", {"x": 2}, queueName="idle")  # waits behind a: concurrency 1
wait_status(a, "RUNNING", 5)
r = ok(admin.setMaintenance("cancel", reason="line stop", user="admin"), "MAINTENANCE_SET")
check(r["cancelled"] >= 2 and r["mode"] == "drain", "cancel mode cancels active runs", r)
check(wait_status(a, "CANCELLED", 3)["status"] == "CANCELLED", "running run cancelled")
check(svc.getWorkflow(b)["data"]["status"] == "CANCELLED", "queued run cancelled")
ok(admin.setMaintenance(None), "MAINTENANCE_SET")

# Retention by row count, then by age; active runs are never touched.
for _ in range(4):
    wait_status(started("t.steps", {"n": 1}), "SUCCESS", 5)
active = started("t.sleeper", {"total_ms": 3000})
total_before = ok(svc.listRuns())["total"]
# Retention never deletes a run within an hour of its end (see
# maintenance.RETENTION_FLOOR_MS): make the finished runs two hours old.
update("UPDATE %s SET finished_ms = finished_ms - 7200000 WHERE finished_ms IS NOT NULL"
       % flows.STATUS_TABLE())
ok(admin.setRetention(maxRows=2, user="admin"), "RETENTION_SET")
check(ok(admin.getRetention(), "RETENTION_POLICY")["maxRows"] == 2, "policy stored")
deleted = ok(admin.applyRetention(), "RETENTION_APPLIED")["deleted"]
finished = ok(svc.listRuns(status=["SUCCESS", "ERROR", "CANCELLED", "STOPPED"]))
check(finished["total"] == 2 and deleted == total_before - 3, "maxRows keeps the newest finished runs",
      deleted, total_before, finished["total"])
orphans = sql("SELECT COUNT(*) FROM %s o WHERE NOT EXISTS (SELECT 1 FROM %s s WHERE s.workflow_id = "
              "o.workflow_id)" % (flows.OPS_TABLE(), flows.STATUS_TABLE()))[0][0]
check(orphans == 0, "deleted runs take their checkpoints with them", orphans)
ok(admin.setRetention(maxAgeDays=0, user="admin"), "RETENTION_SET")
ok(admin.applyRetention(), "RETENTION_APPLIED")
check(ok(svc.listRuns())["total"] == 1 and svc.getWorkflow(active)["ok"], "only the active run is left")

gateways = ok(admin.listGateways(), "GATEWAYS_LISTED")
check(len(gateways) == 1 and gateways[0]["state"] == "ALIVE" and gateways[0]["leaseLeftMs"] > 0
      and gateways[0]["executorId"].startswith(flows.system.tag.readBlocking(
          ["[System]Gateway/SystemName"])[0].value + "/"), "this gateway holds a live lease", gateways)
diag = ok(admin.diagnostics(), "DIAGNOSTICS")
check(diag["pool"]["max"] >= 1 and "inMemoryDepth" in diag and diag["lastDispatch"] is not None
      and "t.noop" in diag["registered"], "diagnostics", diag)
finish()
