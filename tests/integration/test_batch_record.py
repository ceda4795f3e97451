"""Issue 12 item 6, the batch record, through tools/gwsim on real Jython, on
SQLite and PostgreSQL: event history, exportRun (JSON and CSV), the
retention hold, and schema migration 5 from a version-4 database."""
import csv
import io


def test_export_keeps_who_and_why_masks_secrets_and_a_held_run_survives_retention(
        gwsim, db_url, make_db_url):
    r = gwsim.run("batch_record.py", db_url, datasources={"OldDB": make_db_url()}, timeout=300)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
    assert r.result["migrated"] is True, r.describe()
    # The CSV export reads back with CPython's csv module too.
    rows = list(csv.DictReader(io.StringIO(r.result["csv"], newline="")))
    assert [(row["name"], row["who"], row["reason"]) for row in rows if row["kind"] == "command"] == [
        ("HOLD", "op1", "sample, pH check"), ("RESUME", "op2", 'pH ok "7.1"')]
    assert [row["value"] for row in rows if row["kind"] == "event" and row["name"] == "phase"] == [
        '"fill"', '"drain"']
    times = [int(row["atMs"]) for row in rows]
    assert times == sorted(times)
