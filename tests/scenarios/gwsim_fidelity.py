# gwsim fidelity: the gateway functions real exported projects call, checked on real Jython 2.7.
#
#   tools/gwsim exec --project tests/fixtures/gwsim_project [--db URL] tests/scenarios/gwsim_fidelity.py all
#   tools/gwsim exec --project tests/fixtures/gwsim_project --db jdbc:sqlite:/f.db tests/scenarios/gwsim_fidelity.py sqlite-defaults
#
# "all": named queries (fixture ignition/named-query/gwsimnq/...), stored procedures,
# system.perspective's gateway functions, system.dataset's edits. "sqlite-defaults": a SQLite
# connection gets only what its URL asks for (sys.argv[2:] = expected journal mode, busy timeout).
# Exits 0 when every check passes, 1 otherwise; the last line is `RESULT {json}`.
from __future__ import print_function

import sys

import gwsim
from gwsim_checks import check, facts, finish, java_error, section

DB = "WorkflowsDB"


def messages_of(error):
    """The messages of a Java exception and its causes, joined."""
    out = []
    while error is not None:
        out.append(u"%s" % error.getMessage())
        error = error.getCause()
    return u" | ".join(out)


def not_emulated(function, *args, **kwargs):
    """The NotEmulatedError message function raised (None if none)."""
    try:
        function(*args, **kwargs)
    except gwsim.notemulated.NotEmulatedError as error:
        return str(error)
    return None


def is_postgres():
    return system.db.getConnectionInfo(DB).getValueAt(0, "DBType") == "POSTGRES"


# ---------------------------------------------------------------------------------------------
def test_named_queries():
    project = system.util.getProjectName()
    if is_postgres():
        system.db.runUpdateQuery("CREATE TABLE gwsim_nq_items (id SERIAL PRIMARY KEY, name VARCHAR(50), qty INTEGER)", DB)
    else:
        system.db.runUpdateQuery("CREATE TABLE gwsim_nq_items (id INTEGER PRIMARY KEY, name VARCHAR(50), qty INTEGER)", DB)
    check(system.db.runNamedQuery("gwsimnq/items/insert", {"name": u"a", "qty": 3}) == 1,
          "UpdateQuery, project-scope form (path, parameters): rows affected")
    check(system.db.runNamedQuery(project, "gwsimnq/items/insert", {"name": u"b", "qty": "7"}) == 1,
          "gateway-scope form (project, path, parameters); '7' bound as the declared Int4")
    check(system.db.runNamedQuery(project=project, path="gwsimnq/items/insert",
                                  parameters={"name": u"c", "qty": 5}) == 1, "keyword arguments")
    ds = system.db.runNamedQuery("gwsimnq/items/byMinQty", {"minQty": 4, "orderColumn": "qty DESC"})
    check(not hasattr(ds, "__len__") and ds.getRowCount() == 2, "Query returns a Java-style Dataset: %r" % (ds,))
    rows = [list(row) for row in system.dataset.toPyDataSet(ds)]
    check(rows == [[u"b", 7, u":minQty"], [u"c", 5, u":minQty"]],
          "value parameter bound, QueryString pasted, ':minQty' inside a literal left alone: %r" % (rows,))
    check(system.db.runNamedQuery("gwsimnq/items/count", {"minQty": 4}) == 2, "ScalarQuery returns the first cell")
    check(system.db.execScalar("gwsimnq/items/count", {"minQty": 0}) == 3, "8.3 execScalar(path, parameters)")
    check(system.db.execQuery("gwsimnq/items/byMinQty", {"minQty": 6, "orderColumn": "name"}, project=project)
          .getRowCount() == 1, "8.3 execQuery(path, parameters, tx, project)")
    check(system.db.execUpdate("gwsimnq/items/insert", {"name": u"d", "qty": 1}) == 1, "8.3 execUpdate(path, parameters)")
    tx = system.db.beginTransaction(DB)
    try:
        system.db.runNamedQuery("gwsimnq/items/insert", {"name": u"e", "qty": 9}, tx)
        check(system.db.runNamedQuery("gwsimnq/items/count", {"minQty": 9}, tx) == 1, "a named query joins tx")
        system.db.rollbackTransaction(tx)
    finally:
        system.db.closeTransaction(tx)
    check(system.db.execScalar("gwsimnq/items/count", {"minQty": 9}) == 0, "rolled back with its transaction")
    error = java_error(system.db.runNamedQuery, "gwsimnq/items/nope", {})
    check(error is not None and "not found" in messages_of(error), "a missing named query: %s" % messages_of(error))
    error = java_error(system.db.runNamedQuery, "gwsimnq/items/disabled", {})
    check(error is not None and "disabled" in messages_of(error), "a disabled named query: %s" % messages_of(error))
    error = java_error(system.db.runNamedQuery, "OtherProject", "gwsimnq/items/count", {"minQty": 1})
    check(error is not None and "OtherProject" in messages_of(error), "another project's named query")


def test_stored_procedures():
    if not is_postgres():
        call = system.db.createSProcCall("gwsim_anything", DB)
        call.registerInParam(1, system.db.INTEGER, 1)
        error = java_error(system.db.execSProcCall, call)
        text = messages_of(error) if error is not None else ""
        check(error is not None and "execSProcCall" in text and "support" in text.lower(),
              "SQLite: the driver's own 'no stored procedures' error, wrapped as Ignition does: %s" % text)
        facts["sqlite_sproc_error"] = text
        return
    system.db.runUpdateQuery("CREATE FUNCTION gwsim_add(a integer, b integer) RETURNS integer "
                             "LANGUAGE sql AS 'SELECT a + b'", DB)
    call = system.db.createSProcCall("gwsim_add", DB)
    call.registerReturnParam(system.db.INTEGER)
    call.registerInParam(1, system.db.INTEGER, 2)
    call.registerInParam(2, system.db.INTEGER, 3)
    system.db.execSProcCall(call)
    check(call.getReturnValue() == 5, "a function's return value: %r" % (call.getReturnValue(),))
    system.db.runUpdateQuery("CREATE FUNCTION gwsim_mult(IN a integer, OUT doubled integer, OUT tripled integer) "
                             "LANGUAGE sql AS 'SELECT a * 2, a * 3'", DB)
    call = system.db.createSProcCall("gwsim_mult", DB)
    call.registerInParam(1, system.db.INTEGER, 4)
    call.registerOutParam(2, system.db.INTEGER)
    call.registerOutParam(3, system.db.INTEGER)
    system.db.execSProcCall(call)
    check((call.getOutParamValue(2), call.getOutParamValue(3)) == (8, 12), "OUT parameters")
    system.db.runUpdateQuery("CREATE FUNCTION gwsim_rows(n integer) RETURNS TABLE(i integer) "
                             "LANGUAGE sql AS 'SELECT generate_series(1, n)'", DB)
    call = system.db.createSProcCall("gwsim_rows", DB)
    call.registerInParam(1, system.db.INTEGER, 3)
    system.db.execSProcCall(call)
    result = call.getResultSet()
    check(result is not None and result.getRowCount() == 3 and result.getValueAt(2, 0) == 3,
          "a set-returning function's rows as a Dataset")
    system.db.runUpdateQuery("CREATE PROCEDURE gwsim_proc() LANGUAGE plpgsql AS $$ BEGIN END $$", DB)
    error = java_error(system.db.execSProcCall, system.db.createSProcCall("gwsim_proc", DB))
    check(error is not None and "procedure" in messages_of(error).lower(),
          "a PROCEDURE through JDBC's call escape fails as pgjdbc makes it fail: %s" % messages_of(error))


def test_perspective():
    for name in gwsim_catalog_perspective():
        check(hasattr(system.perspective, name), "hasattr(system.perspective, %r)" % name)
    check(not hasattr(system.perspective, "noSuchFunction"), "an unknown name is absent")
    session = gwsim.openSession("op1", ["Operator"])
    try:
        system.perspective.sendMessage("refresh", {"n": 1}, scope="session", sessionId=session.id)
        check(session.messages() == [{"messageType": "refresh", "payload": {"n": 1}, "scope": "session",
                                      "pageId": None}], "sendMessage to a session: %r" % (session.messages(),))
        error = java_error(system.perspective.sendMessage, "refresh", {})
        check(error is not None and "sessionId" in messages_of(error), "from gateway scope, sendMessage needs sessionId")
        error = java_error(system.perspective.sendMessage, "refresh", {}, "everywhere", session.id)
        check(error is not None and "scope" in messages_of(error), "an unknown scope is refused")
        gwsim.runPerspectiveScript(session, lambda self: system.perspective.sendMessage("inside", {}))
        check(session.messages()[-1]["messageType"] == "inside", "in a Perspective script, the current session")
        gwsim.runPerspectiveScript(session, lambda self: system.perspective.download(
            u"run.csv", u"a,b\n\u00e9,1\n", "text/csv"))
        got = session.downloads()[-1]
        check(got["filename"] == u"run.csv" and got["contentType"] == "text/csv"
              and bytes(got["data"]) == u"a,b\n\u00e9,1\n".encode("utf-8"),
              "download in a Perspective script: the file as UTF-8 bytes: %r" % (got,))
        error = java_error(system.perspective.download, "x.txt", "x", None, session.id)
        check(error is not None and "pageId" in messages_of(error),
              "from the gateway scope, download needs sessionId and pageId")
        info = system.perspective.getSessionInfo()
        check([i["username"] for i in info if i["id"] == session.id] == ["op1"], "getSessionInfo lists the session")
        gwsim.clearNotEmulated()
        message = not_emulated(system.perspective.navigate, "/page")
        check(message is not None and "system.perspective.navigate" in message, "navigate fails loudly")
        gwsim.clearNotEmulated()
    finally:
        session.close()


def gwsim_catalog_perspective():
    from gwsim.system import catalog
    return catalog.FUNCTIONS["perspective"]


def test_dataset():
    ds = system.dataset.toDataSet(["a", "b"], [[1, u"x"], [2, u"y"]])

    def values(d):
        return [[d.getValueAt(r, c) for c in range(d.getColumnCount())] for r in range(d.getRowCount())]

    check(system.dataset.getColumnHeaders(ds) == [u"a", u"b"], "getColumnHeaders")
    check(values(system.dataset.addRow(ds, [3, u"z"])) == [[1, u"x"], [2, u"y"], [3, u"z"]], "addRow appends")
    check(values(system.dataset.addRow(ds, 0, [0, u"w"]))[0] == [0, u"w"], "addRow(dataset, rowIndex, row)")
    check(values(system.dataset.addRows(ds, [[5, u"p"], [6, u"q"]]))[-1] == [6, u"q"], "addRows")
    check(values(ds) == [[1, u"x"], [2, u"y"]], "edits return a new Dataset; the original is unchanged")
    check(values(system.dataset.setValue(ds, 1, "b", u"Y"))[1] == [2, u"Y"], "setValue by column name")
    check(values(system.dataset.setValue(ds, 0, 0, 9))[0] == [9, u"x"], "setValue by column index")
    check(values(system.dataset.updateRow(ds, 0, {"a": 10, "b": u"X"}))[0] == [10, u"X"], "updateRow")
    check(values(system.dataset.deleteRow(ds, 0)) == [[2, u"y"]], "deleteRow")
    check(values(system.dataset.deleteRows(ds, [0, 1])) == [], "deleteRows")
    filtered = system.dataset.filterColumns(ds, ["b"])
    check(list(filtered.getColumnNames()) == [u"b"] and values(filtered) == [[u"x"], [u"y"]], "filterColumns")
    check(values(system.dataset.sort(ds, "a", False)) == [[2, u"y"], [1, u"x"]], "sort descending")
    check(values(system.dataset.appendDataset(ds, ds))[2] == [1, u"x"], "appendDataset")
    check(system.dataset.clearDataset(ds).getRowCount() == 0, "clearDataset")
    py = system.dataset.toPyDataSet(ds)
    check(system.dataset.toCSV(py) == u'"a","b"\n"1","x"\n"2","y"\n', "toCSV of a PyDataSet: %r" % system.dataset.toCSV(py))
    check(system.dataset.toCSV(ds, False) == u'"1","x"\n"2","y"\n', "toCSV without headers")
    check(java_error(system.dataset.addRow, ds, [1]) is not None, "a row of the wrong length is refused (Java error)")
    check(java_error(system.dataset.setValue, ds, 5, "a", 1) is not None, "a row index out of range (Java error)")
    gwsim.clearNotEmulated()
    message = not_emulated(system.dataset.toCSV, ds, True, True)
    check(message is not None and "forExport" in message, "toCSV(forExport=True) fails loudly")
    gwsim.clearNotEmulated()


def test_sqlite_defaults(journal_mode, busy_timeout):
    mode = system.db.runScalarQuery("PRAGMA journal_mode", DB)
    timeout = system.db.runScalarQuery("PRAGMA busy_timeout", DB)
    facts.update({"journal_mode": mode, "busy_timeout": timeout})
    check(mode.lower() == journal_mode, "journal_mode %s, expected %s" % (mode, journal_mode))
    check(int(timeout) == int(busy_timeout), "busy_timeout %s, expected %s" % (timeout, busy_timeout))


mode = sys.argv[1] if len(sys.argv) > 1 else "all"
if mode == "sqlite-defaults":
    section("sqlite defaults", lambda: test_sqlite_defaults(sys.argv[2], sys.argv[3]))
else:
    for name, body in (("named queries", test_named_queries), ("stored procedures", test_stored_procedures),
                       ("perspective", test_perspective), ("dataset", test_dataset)):
        section(name, body)

finish(system.util.jsonEncode)
