"""enqueueInMemory's hot path on real Jython (tools/gwsim): ids made by many
threads, the JSON encoder's shortcuts, the envelope. Nothing here depends on
the database, so it runs on SQLite only."""


def test_ids_codec_and_envelope_hold_on_the_enqueue_fast_path(gwsim, make_db_url):
    r = gwsim.run("engine_hotpath.py", make_db_url("sqlite"), timeout=120)
    r.assert_ok()
    assert r.result.get("ok") is True and not r.result.get("failures"), r.describe()
