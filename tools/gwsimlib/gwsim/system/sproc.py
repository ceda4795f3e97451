"""The call context of system.db.createSProcCall / execSProcCall (IA manual 8.1/8.3,
system.db.createSProcCall: registerInParam, registerOutParam, registerReturnParam, then
execSProcCall, then getResultSet, getUpdateCount, getOutParamValue, getReturnValue).

The call runs as JDBC's escape syntax `{[? =] call name(?, ...)}` through a CallableStatement,
so what the database does with it is what its driver does:
  - PostgreSQL (pgjdbc): a FUNCTION is called (the driver turns the escape into a SELECT); a
    PROCEDURE (CREATE PROCEDURE, 11+) is refused by the driver, as it is on a gateway with the
    same driver, unless the URL sets escapeSyntaxCallMode=call;
  - SQLite: the xerial driver has no stored procedures and raises its own SQLException.
Parameters are registered by index (1 = the procedure's first argument, whether or not a return
parameter is registered) or by name (bound by name, if the driver supports it).
"""
from java.sql import Types

from gwsim import dataset


class SProcCall(object):
    def __init__(self, procedureName, datasource, txId, skipAudit):
        self.procedureName = procedureName
        self.datasource = datasource
        self.txId = txId
        self.skipAudit = bool(skipAudit)
        self.callFinished = False
        self.updateCount = -1
        self.resultset = None
        self._params = {}  # key (int or name) -> [in?, out?, typeCode, value]
        self._order = []
        self._return_type = None
        self._out_values = {}
        self._return_value = None

    # -- registration -------------------------------------------------------------------------
    def _param(self, key):
        if not isinstance(key, (int, long, basestring)) or isinstance(key, bool):
            raise TypeError("a stored procedure parameter is an index or a name, not %r" % (key,))
        if key not in self._params:
            self._params[key] = [False, False, Types.NULL, None]
            self._order.append(key)
        return self._params[key]

    def registerInParam(self, param, typeCode, value):
        entry = self._param(param)
        entry[0], entry[2], entry[3] = True, int(typeCode), value

    def registerOutParam(self, param, typeCode):
        entry = self._param(param)
        entry[1], entry[2] = True, int(typeCode)

    def registerReturnParam(self, typeCode):
        self._return_type = int(typeCode)

    def setSkipAudit(self, skipAudit):
        self.skipAudit = bool(skipAudit)

    def setTxId(self, txId):
        self.txId = txId

    # -- results ------------------------------------------------------------------------------
    def getResultSet(self):
        return self.resultset

    def getUpdateCount(self):
        return self.updateCount

    def getOutParamValue(self, param):
        if param not in self._out_values:
            raise KeyError("%r is not a registered out parameter of %s" % (param, self.procedureName))
        return self._out_values[param]

    def getReturnValue(self):
        return self._return_value

    def getProcedureName(self):
        return self.procedureName

    def getDataSource(self):
        return self.datasource

    def getTxId(self):
        return self.txId

    def isSkipAudit(self):
        return self.skipAudit

    # -- execution (called by system.db.execSProcCall on a pool or transaction connection) ----
    def execute(self, conn):
        keys = self._order
        named = [k for k in keys if isinstance(k, basestring)]
        if named and len(named) != len(keys):
            raise TypeError("%s: register parameters all by index or all by name" % self.procedureName)
        count = len(keys) if named else max([int(k) for k in keys] or [0])
        offset = 1 if self._return_type is not None else 0
        marks = ", ".join(["?"] * count)
        text = "{%scall %s(%s)}" % ("? = " if offset else "", self.procedureName, marks)
        statement = conn.prepareCall(text)
        try:
            if offset:
                statement.registerOutParameter(1, self._return_type)
            for key in keys:
                is_in, is_out, type_code, value = self._params[key]
                where = key if named else int(key) + offset
                if is_in:
                    if value is None:
                        statement.setNull(where, type_code)
                    else:
                        statement.setObject(where, value, type_code)
                if is_out:
                    statement.registerOutParameter(where, type_code)
            has_rows = statement.execute()
            if has_rows:
                rs = statement.getResultSet()
                try:
                    self.resultset = dataset.basic_from_result_set(rs)
                finally:
                    rs.close()
            self.updateCount = statement.getUpdateCount()
            if offset:
                self._return_value = statement.getObject(1)
            for key in keys:
                if self._params[key][1]:
                    self._out_values[key] = statement.getObject(key if named else int(key) + offset)
            self.callFinished = True
        finally:
            statement.close()
