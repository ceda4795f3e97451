# gwsim self-test: proves the simulated gateway's contract on real Jython 2.7.
#
# Run (SQLite default, or PostgreSQL with --db):
#   tools/gwsim exec --project tests/fixtures/gwsim_project tests/scenarios/gwsim_selftest.py
#   tools/gwsim exec --project tests/fixtures/gwsim_project --db jdbc:postgresql://... tests/scenarios/gwsim_selftest.py
# Exits 0 when every check passes, 1 otherwise (each failure is printed); the last line is
# `RESULT {json}` with a few facts. `system` and `fixturelib` are globals, as in the Script Console.
from __future__ import print_function

import os
import shutil
import sys
import tempfile
import time

import java.lang
from java.math import BigDecimal
from java.sql import SQLException
from java.util import Date

import gwsim
from gwsim_checks import check, facts, finish, java_error, section, wait_for

# Injected by gwsim as a global, as in the Script Console (a KeyError here means it was not).
fixturelib = globals()["fixturelib"]

DB = "WorkflowsDB"


# ---------------------------------------------------------------------------------------------
def test_db():
    is_pg = java_error(system.db.runScalarQuery, "SELECT version()", DB) is None
    facts["database"] = "postgresql" if is_pg else "sqlite"
    table = "gwsim_selftest_%d_%d" % (os.getpid(), int(time.time() * 1000) % 100000)
    key_column = "id SERIAL PRIMARY KEY" if is_pg else "id INTEGER PRIMARY KEY AUTOINCREMENT"
    system.db.runPrepUpdate("CREATE TABLE %s (%s, name VARCHAR(50) NOT NULL, amount NUMERIC(10,2), "
                            "created TIMESTAMP, flag BOOLEAN)" % (table, key_column), [], DB)
    try:
        insert = "INSERT INTO %s (name, amount, created, flag) VALUES (?, ?, ?, ?)" % table
        first = system.db.runPrepUpdate(insert, ["alpha", 1.5, Date(), True], DB, getKey=True)
        second = system.db.runPrepUpdate(insert, [u"b\u00e9ta", 2, Date(), False], DB, getKey=1)
        check(isinstance(first, (int, long)) and second == first + 1, "getKey returns keys: %r %r" % (first, second))
        check(system.db.runPrepUpdate("UPDATE %s SET amount = amount + 1" % table, [], DB) == 2,
              "runPrepUpdate returns the affected row count")

        rows = system.db.runPrepQuery("SELECT id, name, amount, created, flag FROM %s ORDER BY id" % table, [], DB)
        check(len(rows) == 2 and rows.getRowCount() == 2, "two rows read back")
        check(list(rows.getColumnNames()) == ["id", "name", "amount", "created", "flag"],
              "column names %r" % list(rows.getColumnNames()))
        row = rows[1]
        check(row["name"] == u"b\u00e9ta" and row[1] == row["name"] and isinstance(row["name"], unicode),
              "row access by column name and index gives unicode")
        check(rows.getValueAt(0, "name") == u"alpha" and rows.getValueAt(0, 1) == u"alpha", "getValueAt")
        check([r["name"] for r in rows] == [u"alpha", u"b\u00e9ta"], "iterating rows")
        if is_pg:
            check(isinstance(row["amount"], BigDecimal), "NUMERIC comes back as BigDecimal on PostgreSQL")
            check(isinstance(row["created"], java.sql.Timestamp), "TIMESTAMP comes back as java.sql.Timestamp")
            check(row["flag"] is False, "BOOLEAN comes back as bool")
        else:
            check(float(row["amount"]) == 3.0, "NUMERIC value on SQLite: %r" % row["amount"])
        facts["types"] = dict((c, type(row[c]).__name__) for c in ("id", "name", "amount", "created", "flag"))
        check(system.db.runScalarPrepQuery("SELECT COUNT(*) FROM %s WHERE name = ?" % table, ["alpha"], DB) == 1,
              "runScalarPrepQuery")

        returned = system.db.runPrepQuery("UPDATE %s SET name = ? WHERE id = ? RETURNING id, name" % table,
                                          ["gamma", first], DB)
        check(len(returned) == 1 and returned[0]["name"] == u"gamma", "UPDATE ... RETURNING via runPrepQuery")

        count = lambda tx=None: system.db.runScalarPrepQuery("SELECT COUNT(*) FROM %s" % table, [], DB, tx)
        tx = system.db.beginTransaction(DB, system.db.READ_COMMITTED if is_pg else None, 5000)
        system.db.runPrepUpdate(insert, ["rolled back", 0, Date(), True], DB, tx)
        check(count(tx) == 3, "the transaction sees its own insert")
        system.db.rollbackTransaction(tx)
        system.db.closeTransaction(tx)
        check(count() == 2, "rolled-back rows are gone")
        error = java_error(system.db.runPrepUpdate, insert, ["x", 0, None, None], DB, tx)
        check(error is not None and "closed" in error.getMessage(), "a closed transaction id is refused")

        tx = system.db.beginTransaction(database=DB)
        system.db.runPrepUpdate(insert, ["committed", 0, None, None], DB, tx)
        system.db.commitTransaction(tx)
        system.db.closeTransaction(tx)
        check(count() == 3, "committed rows stay")

        if is_pg:  # a transaction's isolation level does not leak into the next borrower
            level = "SELECT current_setting('transaction_isolation')"
            tx = system.db.beginTransaction(DB, system.db.SERIALIZABLE, 5000)
            check(system.db.runScalarPrepQuery(level, [], DB, tx) == "serializable", "SERIALIZABLE tx")
            system.db.commitTransaction(tx)
            system.db.closeTransaction(tx)
            levels = set(system.db.runScalarPrepQuery(level, [], DB) for _ in range(4))
            check(levels == set(["read committed"]), "isolation reset on release: %s" % levels)

        tx = system.db.beginTransaction(DB, timeout=300)
        time.sleep(1.5)
        error = java_error(system.db.runPrepQuery, "SELECT 1", [], DB, tx)
        check(error is not None and "closed" in error.getMessage(), "an unused transaction times out")

        error = java_error(system.db.runPrepQuery, "SELECT * FROM gwsim_no_such_table", [], DB)
        check(isinstance(error, java.lang.Exception) and "runPrepQuery" in error.getMessage()
              and isinstance(error.getCause(), SQLException), "a failing statement raises a Java exception")
        error = java_error(system.db.runPrepQuery, "SELECT 1", [], "NoSuchDatabase")
        check(error is not None and "NoSuchDatabase" in error.getMessage(), "an unknown connection is refused")
        info = system.db.getConnectionInfo(DB.lower())
        check(info.getRowCount() == 1 and info.getValueAt(0, "Name") == DB
              and info.getValueAt(0, "DBType") == ("POSTGRES" if is_pg else "SQLITE")
              and info.getValueAt(0, "Status") == "Valid", "getConnectionInfo describes a connection")
        check(system.db.getConnectionInfo("NoSuchDatabase").getRowCount() == 0
              and system.db.getConnectionInfo("NoSuchDatabase").getColumnIndex("Name") == 0,
              "getConnectionInfo of an unknown connection is an empty dataset")
        names = system.db.getConnections()
        check(DB in [names.getValueAt(i, "Name") for i in range(names.getRowCount())],
              "getConnections lists the connections")
        facts["rows"] = count()
    finally:
        system.db.runPrepUpdate("DROP TABLE %s" % table, [], DB)


def test_tags():
    base = "[default]Selftest%d" % os.getpid()
    codes = system.tag.configure(base, [
        {"name": "Count", "tagType": "AtomicTag", "valueSource": "memory", "dataType": "Int4", "value": 1},
        {"name": "Folder", "tagType": "Folder", "tags": [
            {"name": "Ratio", "tagType": "AtomicTag", "dataType": "Float8", "value": 0.5},
            {"name": "On", "tagType": "AtomicTag", "dataType": "Boolean", "value": False},
            {"name": "Text", "tagType": "AtomicTag", "dataType": "String", "value": "a"},
            {"name": "When", "tagType": "AtomicTag", "dataType": "DateTime"},
            {"name": "Cmd", "tagType": "AtomicTag", "dataType": "Int4", "value": 0},
            {"name": "Feedback", "tagType": "AtomicTag", "dataType": "Int4", "value": 0},
        ]}], "o")
    check(all(code.isGood() for code in codes), "configure succeeds: %s" % codes)
    paths = [base + "/Count", base + "/Folder/Ratio", base + "/Folder/On", base + "/Folder/Text",
             base + "/Folder/When"]
    results = system.tag.writeBlocking(paths, ["42", 3, 1, 7, Date(0)])
    check(all(q.isGood() for q in results), "writes with coercion are good: %s" % results)
    values = system.tag.readBlocking(paths)
    check(values[0].value == 42 and isinstance(values[0].value, int), "Int4 coerces '42' -> 42")
    check(values[1].value == 3.0 and isinstance(values[1].value, float), "Float8 coerces 3 -> 3.0")
    check(values[2].value is True and values[3].value == u"7", "Boolean and String coercion")
    check(isinstance(values[4].value, Date) and values[4].value.getTime() == 0, "DateTime holds a Date")
    check(isinstance(values[0].timestamp, Date) and values[0].quality.isGood()
          and str(values[0].quality) == "Good" and values[0].getValue() == 42, "QualifiedValue API")
    bad = system.tag.writeBlocking([base + "/Count"], ["not a number"])[0]
    check(not bad.isGood() and bad.isBadOrError(), "a bad coercion gives a bad quality: %s" % bad)
    check(system.tag.readBlocking([base.lower() + "/count"])[0].value == 42, "tag paths are case-insensitive")
    missing = system.tag.readBlocking([base + "/Nope"])[0]
    check(missing.value is None and missing.quality.isBad() and missing.quality.getName() == "Bad_NotFound",
          "a missing tag reads None with Bad_NotFound")
    check(str(system.tag.writeBlocking([base + "/Nope"], [1])[0]) == "Bad_NotFound", "a missing write is Bad_NotFound")
    check(system.tag.exists(base + "/Folder/On") and not system.tag.exists(base + "/Nope"), "exists")
    names = sorted(r["name"] for r in system.tag.browse(base + "/Folder").getResults())
    check(names == ["Cmd", "Feedback", "On", "Ratio", "Text", "When"], "browse lists the folder: %s" % names)
    check(system.tag.readBlocking(["[System]Gateway/SystemName"])[0].value == gwsim.gatewayName(),
          "[System]Gateway/SystemName is the gateway name")

    follower = gwsim.devices.follow(base + "/Folder/Cmd", base + "/Folder/Feedback", 200, lambda v: v * 10)
    system.tag.writeBlocking([base + "/Folder/Cmd"], [5])
    feedback = lambda: system.tag.readBlocking([base + "/Folder/Feedback"])[0].value
    check(feedback() == 0, "a following device is not instantaneous")
    check(wait_for(lambda: feedback() == 50, 3), "a following device writes after its delay")
    follower.cancel()
    jam = gwsim.devices.stuck(base + "/Folder/Feedback")
    check(system.tag.writeBlocking([base + "/Folder/Feedback"], [1])[0].isGood() and feedback() == 50,
          "a stuck tag accepts writes but keeps its value")
    jam.release()
    check([str(c) for c in system.tag.deleteTags([base])] == ["Good"] and not system.tag.exists(base), "deleteTags")


def test_util_and_date():
    g = system.util.getGlobals()
    check(g is system.util.getGlobals(), "getGlobals is one dict")
    log = system.util.getLogger("gwsim.selftest")
    log.infof("logger works: %s=%d", "answer", 42)
    check(log.isInfoEnabled() and not log.isTraceEnabled(), "logger levels")
    decoded = system.util.jsonDecode(system.util.jsonEncode({"a": [1, 2.5, None, True], "b": u"\u00e9"}))
    check(decoded["a"][0] == 1 and isinstance(decoded["a"][1], BigDecimal) and decoded["a"][2] is None
          and decoded["a"][3] is True and decoded["b"] == u"\u00e9", "jsonEncode/jsonDecode: %r" % decoded)
    check(system.util.jsonDecode("not json") == "not json", "invalid JSON decodes to the string itself")
    check(system.util.jsonEncode({"k": [1]}) == '{"k":[1]}', "compact jsonEncode")

    now = system.date.now()
    later = system.date.addSeconds(now, 90)
    check(isinstance(now, Date) and system.date.isAfter(later, now) and system.date.millisBetween(now, later) == 90000
          and system.date.secondsBetween(later, now) == -90, "date arithmetic")
    text = system.date.format(system.date.fromMillis(0), "yyyy-MM-dd'T'HH:mm:ss")
    check(system.date.toMillis(system.date.parse(text, "yyyy-MM-dd'T'HH:mm:ss")) == 0, "date format/parse")

    box = []
    thread = system.util.invokeAsynchronous(lambda a, b=0: box.append((a + b, java.lang.Thread.currentThread().getName())),
                                            [1], {"b": 2}, "selftest-async")
    check(isinstance(thread, java.lang.Thread), "invokeAsynchronous returns a Java Thread")
    thread.join(5000)
    check(box == [(3, "selftest-async")], "invokeAsynchronous ran on its own thread: %r" % box)
    error = None
    try:
        _ = system.util.noSuchFunction
    except AttributeError as problem:
        error = str(problem)
    check(error is not None and "system.util.noSuchFunction" in error and "gwsim" in error,
          "an unemulated function fails loudly: %s" % error)


def test_http():
    server = gwsim.httpserver.start(lambda req: (201, {"got": req.json, "method": req.method}))
    try:
        response = system.net.httpClient(timeout=5000).post(server.url + "/x", data={"n": 1})
        check(response.statusCode == 201 and response.good and response.json["got"]["n"] == 1
              and response.json["method"] == "POST", "httpClient posts JSON to the loopback server")
        check(server.requests[0].headers["content-type"].startswith("application/json"), "dict data is sent as JSON")
        client = system.net.httpClient(timeout=5000)
        response = client.request(server.url + "/custom", "PROPFIND", {"q": "1"}, headers={"X-A": "b"}, timeout=3000)
        check(response.json["method"] == "PROPFIND" and server.requests[-1].query == {"q": "1"},
              "request(url, method, params, ...) sends a custom verb; params is the third positional")
        client.put(server.url + "/p", {"k": "v"}, "text")
        check(server.requests[-1].query == {"k": "v"} and server.requests[-1].text == "text",
              "verbs take (url, params, data, ...) in the documented order")
        check(client.getAsync(server.url + "/a", params={"z": 1}).get(5000).statusCode == 201,
              "getAsync returns a Promise")
        check(system.net.httpClient.post(server.url + "/shared").statusCode == 201
              and system.net.httpClient().getConnectTimeout() == 10000,
              "system.net.httpClient is also a client (8.3), default connect timeout 10000 ms")
        rejected = []
        for label, call in (("unknown keyword", lambda: client.get(server.url, body="x")),
                            ("too many arguments", lambda: client.get(server.url, None, None, None, None,
                                                                      None, None, 5000, "extra")),
                            ("params not a dict", lambda: client.post(server.url, "data-in-params-slot")),
                            ("method not a word", lambda: client.request(server.url, "GE T")),
                            ("method missing", lambda: client.request(server.url)),
                            ("bad constructor keyword", lambda: system.net.httpClient(connect_timeout=5)),
                            ("bad redirect policy", lambda: system.net.httpClient(redirect_policy="SOMETIMES"))):
            try:
                call()
            except TypeError:
                rejected.append(label)
        check(len(rejected) == 7, "undocumented httpClient calls raise TypeError; rejected only: %s" % rejected)
    finally:
        server.stop()


def test_project():
    g = system.util.getGlobals()
    check(wait_for(lambda: g.get("fixture.ticks", 0) >= 3), "the shared timer fires (ticks=%s)" % g.get("fixture.ticks"))
    check(wait_for(lambda: g.get("fixture.dedicatedTicks", 0) >= 2), "the dedicated timer fires")
    check(g.get("fixture.tickThread") != g.get("fixture.dedicatedThread"), "dedicated timer has its own thread")
    check("fixture.disabledTicks" not in g, "a disabled timer never fires")
    check("fixture.onelinerTicks" not in g, "a one-line `def f(): body` loses its body, as in Ignition")
    check(g.get("fixture.startups") == 1, "the startup script ran once")
    check("fixture.updates" not in g, "the update script does not run at start")
    check(fixturelib.greeter.greet("you") == u"hello you from %s" % system.util.getProjectName(),
          "library modules see `system` without importing it")
    check(fixturelib.greeter.gatewayName() == gwsim.gatewayName(), "gateway name from a library module")
    hidden = None
    try:
        _ = fixturelib.hidden.child
    except AttributeError:
        hidden = "hidden"
    check(hidden == "hidden" and fixturelib.hidden.VALUE == "hidden-parent",
          "a folder with its own code.py hides its children")
    project = system.util.getProjectName()
    check(system.util.sendRequest(project, "echo", {"x": 7}) == {"echo": 7}, "sendRequest returns the handler's value")
    system.util.sendMessage(project, "echo", {"x": 1})
    check(wait_for(lambda: g.get("fixture.messages", 0) >= 2), "sendMessage reaches the handler")


def test_system_areas():
    import system.dataset
    import system.security
    check(system.dataset is sys.modules["system.dataset"] and system.security is sys.modules["system.security"],
          "import system.dataset / system.security (any gateway-scope area) works")
    name = system.util.getProjectName()
    check(system.project.getProjectName() == name and system.project.getProjectNames() == [name],
          "system.project.getProjectName/getProjectNames")
    check(system.util.globals is system.util.getGlobals(), "system.util.globals is the getGlobals() dict")
    check(system.db.INTEGER == java.sql.Types.INTEGER and system.db.VARCHAR == java.sql.Types.VARCHAR
          and system.db.TIMESTAMP == java.sql.Types.TIMESTAMP, "system.db SQL type constants are java.sql.Types codes")
    check(system.util.translate("Start") == "Start" and system.util.translate("Start", strict=True) is None,
          "system.util.translate without translations")
    ds = system.dataset.toDataSet(["a", "b"], [[1, u"x"], [2, u"y"]])
    check(ds.getRowCount() == 2 and ds.getValueAt(1, 1) == u"y" and not hasattr(ds, "__len__"),
          "system.dataset.toDataSet(headers, data) gives a Java-style Dataset")
    py = system.dataset.toPyDataSet(ds)
    check(len(py) == 2 and py[0]["b"] == u"x" and system.dataset.toPyDataSet(py) is py,
          "system.dataset.toPyDataSet")
    check(system.dataset.toDataSet(py).getColumnNames() == ["a", "b"], "system.dataset.toDataSet(pyDataSet)")
    system.tag.configure("[default]SelftestLegacy", [{"name": "T", "tagType": "AtomicTag", "dataType": "Int4",
                                                       "valueSource": "memory", "value": 1}], "o")
    check(system.tag.write("[default]SelftestLegacy/T", 5) == 1 and system.tag.read("[default]SelftestLegacy/T").value == 5
          and system.tag.write("[default]SelftestLegacy/Missing", 5) == 0
          and [q.value for q in system.tag.readAll(["[default]SelftestLegacy/T"])] == [5]
          and system.tag.writeAll(["[default]SelftestLegacy/T"], [6]) == [1],
          "legacy system.tag.read/readAll/write/writeAll")
    d = system.date.getDate(2024, system.date.FEBRUARY, 29)
    d = system.date.setTime(d, 13, 45, 30)
    check((system.date.getYear(d), system.date.getMonth(d), system.date.getDayOfMonth(d), system.date.getHour24(d),
           system.date.getHour12(d), system.date.getMinute(d), system.date.getSecond(d), system.date.getAMorPM(d),
           system.date.getQuarter(d), system.date.getDayOfWeek(d), system.date.getDayOfYear(d))
          == (2024, 1, 29, 13, 1, 45, 30, 1, 1, system.date.THURSDAY, 60), "system.date field getters")
    check(system.date.yearsBetween(d, system.date.addYears(d, 1)) == 1
          and system.date.monthsBetween(system.date.addMonths(d, 14), d) == -14
          and system.date.daysBetween(system.date.midnight(d), d) == 0
          and system.date.daysBetween(d, system.date.addDays(d, 400)) == 400
          and system.date.weeksBetween(d, system.date.addDays(d, 13)) == 1
          and system.date.hoursBetween(system.date.midnight(d), d) == 13, "system.date *Between on the calendar")
    check(isinstance(system.date.getTimezone(), basestring) and isinstance(system.date.getTimezoneOffset(), float)
          and system.date.isDaylightTime() in (True, False), "system.date time zone functions")
    system.util.setLoggingLevel("gwsim.selftest.levels", "debug")
    check(system.util.getLogger("gwsim.selftest.levels.child").isDebugEnabled(),
          "setLoggingLevel applies to the logger and its children")
    system.util.setLoggingLevel("gwsim.selftest.levels", "error")
    check(not system.util.getLogger("gwsim.selftest.levels").isWarnEnabled(), "setLoggingLevel can raise the level")
    check(hasattr(system.perspective, "sendMessage") and hasattr(system.perspective, "getSessionInfo")
          and not hasattr(system.perspective, "noSuchThing"),
          "hasattr(system.perspective, ...) answers like a gateway, without raising")
    # A real gateway function gwsim lacks: a blanket `except Exception` must not swallow it.
    gwsim.clearNotEmulated()
    escaped = None
    try:
        try:
            system.dataset.fromCSV("")
        except Exception:
            escaped = "swallowed by except Exception"
    except gwsim.notemulated.NotEmulatedError as error:
        escaped = str(error)
    check(escaped is not None and "system.dataset.fromCSV is not emulated" in escaped,
          "a not-emulated call escapes `except Exception`: %s" % escaped)
    check(gwsim.notEmulated() == {"system.dataset.fromCSV": 1}, "and it is counted: %s" % gwsim.notEmulated())
    gwsim.clearNotEmulated()  # else gwsim would end this run with a non-zero status, as designed


def test_library_globals():
    from fixturelib.pkginit import __init__ as child
    check(getattr(child, "NAME", None) == "the child script named __init__",
          "from pkg import __init__ gives the child script named __init__: %r" % (child,))
    check(fixturelib.usesglobals.confValue() == "conf-value",
          "a library module sees the project's other top-level packages as globals")
    check(fixturelib.usesglobals.topValue() == "top-value", "... and top-level modules")


def test_path_modules():
    from gwsim.importer import PathImporter
    library = os.path.dirname(os.path.dirname(os.path.dirname(fixturelib.counter.__file__)))  # script-python
    folder = os.path.join(library, os.pardir, os.pardir, "extra-path")
    finder = PathImporter([os.path.abspath(folder)], system)
    sys.meta_path.append(finder)
    try:
        import gwsimpathmod
        import gwsimpathpkg.inner
        check(gwsimpathmod.projectName() == system.util.getProjectName() and gwsimpathpkg.inner.flags() == 0,
              "--path modules (and packages) get `system` as a global")
        check(gwsimpathmod.LABEL == u"caf\u00e9", "--path modules are read as UTF-8: %r" % gwsimpathmod.LABEL)
    finally:
        sys.meta_path.remove(finder)
        for name in ("gwsimpathmod", "gwsimpathpkg", "gwsimpathpkg.inner"):
            sys.modules.pop(name, None)


def test_disabled_events():
    from gwsim.project import Project
    project = system.util.getProjectName()
    refused = None
    try:
        system.util.sendRequest(project, "disabledecho", {}, timeoutSec=5)
    except java.lang.Exception as error:
        refused = str(error)
    check(refused is not None and "disabledecho" in refused, "a message handler with enabled: false is not installed")
    root = tempfile.mkdtemp(prefix="gwsim-disabled-")
    try:
        for kind, filename in (("startup", "onStartup.py"), ("shutdown", "onShutdown.py")):
            folder = os.path.join(root, "ignition", kind)
            os.makedirs(folder)
            with open(os.path.join(folder, filename), "w") as handle:
                handle.write("def f():\n\tpass\n")
            with open(os.path.join(folder, "resource.json"), "w") as handle:
                handle.write('{"scope": "G", "files": ["%s"], "attributes": {"enabled": false}}' % filename)
        disabled = Project("p", "ignition", None, root)
        check(disabled.startup_script() is None and disabled.shutdown_script() is None,
              "startup/shutdown scripts with enabled: false are not run")
        for kind in ("startup", "shutdown"):
            os.remove(os.path.join(root, "ignition", kind, "resource.json"))
        check(disabled.startup_script() is not None and disabled.shutdown_script() is not None,
              "without a resource.json they are enabled")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_reload():
    g = system.util.getGlobals()
    library = os.path.join(os.path.dirname(fixturelib.counter.__file__), os.pardir)
    probe_name = "probe_%d" % os.getpid()
    probe_dir = os.path.join(library, probe_name)
    os.makedirs(probe_dir)
    try:
        source = "VERSION = %d\n\ndef version():\n\treturn VERSION\n\n" \
                 "def watch(seen, stop):\n\twhile not stop:\n\t\tseen.append(version())\n\t\ttime.sleep(0.02)\n" \
                 "import time\n"
        with open(os.path.join(probe_dir, "code.py"), "w") as handle:
            handle.write(source % 1)
        old = getattr(fixturelib, probe_name)
        seen, stop = [], []
        system.util.invokeAsynchronous(old.watch, [seen, stop], description="selftest-old-code")
        g["selftest.marker"] = "kept"
        with open(os.path.join(probe_dir, "code.py"), "w") as handle:
            handle.write(source % 2)
        check(getattr(fixturelib, probe_name).version() == 1, "no change before the save")
        gwsim.reloadProject()
        new = getattr(fixturelib, probe_name)
        check(new is not old and new.version() == 2, "after reload a module runs its new code")
        del seen[:]
        time.sleep(0.2)
        stop.append(True)
        check(seen and set(seen) == set([1]), "a thread started before the reload keeps the old code: %s" % set(seen))
        check(g.get("selftest.marker") == "kept" and g is system.util.getGlobals(), "getGlobals survives the reload")
        check(g.get("fixture.shutdowns") == 1 and g.get("fixture.startups") == 2,
              "reload ran the shutdown then the startup script")
        check(g.get("fixture.updates") == 1 and g.get("fixture.updateActor") == "gwsim"
              and g.get("fixture.updateCounterLoaded"), "reload ran the 8.3 update script (onUpdate) once")
        ticks = g.get("fixture.ticks", 0)
        check(wait_for(lambda: g.get("fixture.ticks", 0) > ticks), "timers run again after the reload")
    finally:
        shutil.rmtree(probe_dir, ignore_errors=True)


for name, body in (("db", test_db), ("tags", test_tags), ("util/date", test_util_and_date),
                   ("http", test_http), ("project", test_project), ("system areas", test_system_areas),
                   ("library globals", test_library_globals), ("disabled events", test_disabled_events),
                   ("path modules", test_path_modules),
                   ("reload", test_reload)):
    section(name, body)

g = system.util.getGlobals()
facts.update({"jython": sys.version.split()[0], "gateway": gwsim.gatewayName(),
              "project": system.util.getProjectName(), "ticks": g.get("fixture.ticks"),
              "startups": g.get("fixture.startups")})
finish(system.util.jsonEncode)
