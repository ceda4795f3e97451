"""tools/benchlib/compare.py (tools/bench-compare) end to end on CPython with
the server, the benchmarks and DBOS faked: the runs it asks for, the table,
the checks and the JSON summary line. Nothing is measured."""
import json
import os
import sys

import pytest

from tests.support.gwsim import ROOT

sys.path.insert(0, os.path.join(ROOT, "tools", "benchlib"))
import compare  # noqa: E402


class FakeServer(object):
    version, settings, pid, port = "15.0", {}, 4242, 5432
    stopped = False

    def start(self):
        pass

    def stop(self):
        FakeServer.stopped = True


@pytest.fixture
def fakes(monkeypatch):
    calls = []
    floors = iter([0.3, 0.35])

    def floor(srv):
        ms = next(floors)
        return {"commit_ms": ms, "c1": {"commits_per_s": 1000}, "c16": {"commits_per_s": 9000}}

    def ours(srv, kind, args, what, tmp, timeout=900):
        calls.append((kind, args[0], what))
        # Each measurement's repeats: good, noisy, good (the median is a good one).
        nth = sum(1 for c in calls if c[2] == what) - 1
        return {"workflows_per_s": [1100.0, 300.0, 1200.0][nth % 3],
                "tag_10000_p99_us": 80.0, "tag_10000_p50_us": 20.0, "tag_10000_p999_us": 400.0,
                "tag_10000_cpu_us_per_call": 12.0, "thread_cpu_us_per_step": 140.0,
                "step_overhead_ms": 0.6, "start_latency_p50_ms": 2.0,
                "start_latency_p99_ms": 9.0, "other_cpu_pct": 5, "enqueue_p99_us": 20000.0,
                "flush_rows_per_s": 27600.0, "timer_flush_rows_per_s": 9000.0,
                "claim_ratio": 0.72, "dispatch_ratio": 0.74, "heap_queued_mb": 54,
                "heap_running_mb": 42}

    def dbos(srv, py, a, tmp, timeout=900):
        calls.append(("dbos", "e2e", "DBOS"))
        return {"direct_workflows_per_s": 80.0, "queued_workflows_per_s": 9.8,
                "step_overhead_ms": 4.7, "start_latency_p50_ms": 2.3, "dbos_version": "3.4"}

    monkeypatch.setattr(compare.pgserver, "Server", FakeServer)
    monkeypatch.setattr(compare, "commit_floor", floor)
    monkeypatch.setattr(compare, "machine", lambda: {"cpu": "test", "cpus": 2})
    monkeypatch.setattr(compare, "make_venv", lambda tmp: "python")
    monkeypatch.setattr(compare, "ours", ours)
    monkeypatch.setattr(compare, "dbos", dbos)
    return calls


def test_all_scenarios_twice_with_sqlite(fakes, capsys, tmp_path):
    out = tmp_path / "result.json"
    assert compare.main(["--scenarios", "all", "--repeat", "3", "--sqlite",
                         "--json", str(out)]) == 0
    assert FakeServer.stopped
    # e2e interleaves ours (3 modes) and DBOS per repeat, then the other scenarios.
    assert [c[1] for c in fakes[:12]] == ["e2e"] * 12
    assert [c[0] for c in fakes[:8]] == (["postgresql"] * 3 + ["dbos"]) * 2
    assert [(c[0], c[1]) for c in fakes[12:]] == [("postgresql", "tagevents")] * 3 + [
        ("postgresql", "enqueue"), ("postgresql", "enqueue"), ("postgresql", "scale"),
        ("postgresql", "memory"), ("postgresql", "micro"), ("sqlite", "e2e"), ("sqlite", "e2e"),
        ("sqlite", "e2e"), ("sqlite", "enqueue"), ("sqlite", "scale"), ("sqlite", "memory")]

    stdout = capsys.readouterr().out
    summary = json.loads(stdout.strip().splitlines()[-1])
    assert summary["commit_floor_ms"] == 0.3
    # Medians over the repeats: the noisy second run (300/s) neither makes nor breaks a claim.
    assert summary["ours_direct_workflows_per_s"] == 1100.0
    assert summary["direct_ratio"] == 13.75
    assert summary["direct_ratio_per_repeat"] == [13.75, 3.75, 15.0]
    assert summary["ours_step_overhead_ms"] == 0.6 and summary["dbos_step_overhead_ms"] == 4.7
    checks = summary["checks"]
    assert checks["direct start, 3-step wf/s"] is True
    assert checks["step overhead (ms)"] is False  # 0.6 > 1.5 x the 0.3 ms floor
    assert checks["enqueueInMemory p99 (us), 3 tag-event threads, 10000 events/s"] is True
    assert checks["gateway CPU per step, live threads (us), one run at a time"] is True
    assert checks["enqueueInMemory p99 (us), 8 threads burst"] is False
    assert checks["claim time 1M / 1k rows"] is True
    assert "1100 (300-1200)" in stdout  # the median and the spread of ours, direct
    assert "Commit floor (pgbench, 1 client): 0.300 ms before, 0.350 ms after" in stdout

    result = json.loads(out.read_text())
    assert result["checks"] == checks
    assert result["table"][0] == ["measure", "ours", "DBOS", "ours/DBOS", "target", "met"]
    assert set(result["other"]["sqlite"]) == {"direct", "queued_start", "queued_memory",
                                              "enqueue", "scale", "memory"}
    assert result["ours"]["direct"]["spread"]["workflows_per_s"] == [300.0, 1200.0]


def test_the_readme_table_is_regenerated_from_a_result(fakes, capsys, tmp_path):
    out = tmp_path / "result.json"
    assert compare.main(["--repeat", "3", "--json", str(out), "--markdown", "-"]) == 0
    printed = capsys.readouterr().out
    assert "| direct start, 3-step wf/s | 1100 (300-1200) | 80.0 | 13.8 (per repeat" in printed
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\n<!-- bench-compare:table old -->\nold table\n"
                      "<!-- /bench-compare:table -->\n\nAfter.\n")
    assert compare.main(["--from-json", str(out), "--readme", str(readme)]) == 0
    text = readme.read_text()
    assert text.startswith("# Title\n\n<!-- bench-compare:table (generated")
    assert "old table" not in text and text.endswith("<!-- /bench-compare:table -->\n\nAfter.\n")
    assert "median of 3 interleaved runs" in text and "load average" in text
    assert "busy with other work" not in text  # no load average recorded: no claim about it
    assert text.count("| direct start, 3-step wf/s |") == 1
    with pytest.raises(ValueError, match="markers"):
        compare.replace_block("no markers here", "x")


def test_only_measured_rows_are_shown(fakes, capsys):
    assert compare.main(["--scenarios", "scale", "--skip-dbos"]) == 0
    assert [(c[0], c[1]) for c in fakes] == [("postgresql", "scale")]
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert sorted(summary["checks"]) == ["claim time 1M / 1k rows", "dispatch time 1M / 1k rows"]
    assert summary["direct_ratio"] is None and summary["direct_ratio_per_repeat"] == []


def test_db_list_always_has_postgresql_first():
    assert compare.engine_dbs("postgresql") == ["postgresql"]
    assert compare.engine_dbs("mariadb") == ["postgresql", "mariadb"]
    assert compare.engine_dbs(" SQLite , mariadb,postgresql") == ["postgresql", "mariadb", "sqlite"]
    assert compare.engine_dbs("postgresql", sqlite=True) == ["postgresql", "sqlite"]
    with pytest.raises(ValueError, match="unknown database mssql"):
        compare.engine_dbs("postgresql,mssql")


def test_unknown_db_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as e:
        compare.parse(["--db", "oracle"])
    assert e.value.code == 2
    assert "unknown database oracle" in capsys.readouterr().err


class FakeMaria(FakeServer):
    version, pid, port = "10.11.6", 5151, 3306
    stopped = False

    def stop(self):
        FakeMaria.stopped = True


def test_mariadb_beside_postgresql(fakes, monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(compare.mariaserver, "Server", FakeMaria)
    floors = iter([0.6, 0.9])
    monkeypatch.setattr(compare.mariaserver, "commit_floor", lambda srv: {
        "commit_ms": next(floors), "c1": {"commits_per_s": 1600}, "c16": {"commits_per_s": 7000}})
    out = tmp_path / "result.json"
    assert compare.main(["--db", "mariadb", "--scenarios", "e2e,enqueue", "--skip-dbos",
                         "--enqueue-threads", "3", "--enqueue-count", "1000",
                         "--json", str(out)]) == 0
    assert FakeMaria.stopped
    # PostgreSQL first (3 e2e, burst and paced enqueue), then the same on MariaDB once.
    assert [(c[0], c[1]) for c in fakes] == [("postgresql", "e2e")] * 9 + [
        ("postgresql", "enqueue")] * 2 + [("mariadb", "e2e")] * 3 + [("mariadb", "enqueue")]
    assert "ours enqueue (3 threads, burst)" in [c[2] for c in fakes]

    stdout = capsys.readouterr().out
    assert "Our engine on mariadb 10.11.6" in stdout
    summary = json.loads(stdout.strip().splitlines()[-1])
    ratios = summary["mariadb_vs_postgresql"]
    # The fakes return the same figures on both databases; the floors differ.
    assert ratios["commit floor (ms, 1 client)"] == 2.0
    assert ratios["direct start, wf/s"] == 1.0 and ratios["flush (rows/s)"] == 1.0
    assert "claim time 1M / 1k rows" not in ratios  # scale was not run
    assert "enqueueInMemory p99 (us), 3 threads burst" in summary["checks"]

    result = json.loads(out.read_text())
    assert result["mariadb"]["commit_floor"]["commit_ms"] == 0.6
    assert set(result["other"]["mariadb"]) == {"direct", "queued_start", "queued_memory",
                                               "enqueue"}
    assert result["side_tables"]["mariadb"][0][0] == ["measure", "PostgreSQL", "mariadb",
                                                      "mariadb/PostgreSQL"]


def test_the_table_says_when_the_machine_was_busy():
    assert "busy with other work" in compare._sharedNote(14.2, 2)
    assert compare._sharedNote(1.4, 2) == "" and compare._sharedNote(None, 2) == ""
