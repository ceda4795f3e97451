"""Poison isolation of the in-memory queue (issue 11, items 2 and 8), through
tools/gwsim on SQLite and PostgreSQL: bad requests refused at offer time,
rows the database refuses parked while the 60 good requests behind them
run, parked requests listed, retried and discarded, the byte bound, spent
ids after an INSERT whose answer was lost, and another database's outage.
See tests/scenarios/safety_poison.py."""
import uuid

# A second connection that refuses connections (nothing listens on port 1):
# an outage of another database than the dispatch's own.
DOWN_DB = "jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2"


def test_bad_in_memory_requests_cannot_poison_dispatch(gwsim, db_url):
    secret = "planted-%s" % uuid.uuid4().hex
    r = gwsim.run("safety_poison.py", db_url, args=[secret], datasources={"DownDB": DOWN_DB},
                  timeout=420)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
    # Parked requests are logged once each, at WARN, without their inputs.
    assert r.stderr.count("could not be stored in WorkflowsDB") >= 2, r.describe()
    assert secret not in r.stderr, r.describe()
