"""Names of the `system.*` functions and constants a real Ignition gateway has, by area.

Listed from the published Ignition 8.3 API stubs (PyPI `ignition-api-stubs` 8.3.10, the
top-level definitions of each `system/<area>.pyi`, client-only `vision` and `print` left out),
plus 8.1 names those stubs no longer list. gwsim uses it to tell a real function it does not
emulate (hasattr answers True; a call fails loudly and is counted, see notemulated.py) from a
name no gateway has (a plain AttributeError). Data only: no code from the stubs.
"""

FUNCTIONS = {
    "alarm": (
        "acknowledge", "cancel", "createRoster", "getRosters", "getShelvedPaths", "listPipelines",
        "queryJournal", "queryStatus", "shelve", "unshelve"
    ),
    "bacnet": (
        "readRaw", "readRawMultiple", "synchronizeTime", "synchronizeTimeUtc", "writeRaw",
        "writeRawMultiple", "writeWithPriority"
    ),
    "config": (
        "copy", "create", "delete", "getActiveMode", "getModes", "getResource", "getResourceTypes",
        "getResources", "move", "rename", "replace"
    ),
    "dataset": (
        "addColumn", "addRow", "addRows", "appendDataset", "clearDataset", "dataSetToHTML",
        "deleteRow", "deleteRows", "exportCSV", "exportExcel", "exportHTML", "filterColumns",
        "formatDates", "fromCSV", "getColumnHeaders", "setValue", "sort", "toCSV", "toDataSet",
        "toExcel", "toPyDataSet", "updateRow"
    ),
    "date": (
        "addDays", "addHours", "addMillis", "addMinutes", "addMonths", "addSeconds", "addWeeks",
        "addYears", "daysBetween", "format", "fromMillis", "getAMorPM", "getDate", "getDayOfMonth",
        "getDayOfWeek", "getDayOfYear", "getHour12", "getHour24", "getMillis", "getMinute",
        "getMonth", "getQuarter", "getSecond", "getTimezone", "getTimezoneOffset",
        "getTimezoneRawOffset", "getYear", "hoursBetween", "isAfter", "isBefore", "isBetween",
        "isDaylightTime", "midnight", "millisBetween", "minutesBetween", "monthsBetween", "now",
        "parse", "secondsBetween", "setTime", "toMillis", "weeksBetween", "yearsBetween"
    ),
    "db": (
        "addDatasource", "beginNamedQueryTransaction", "beginTransaction", "clearQueryCache",
        "closeTransaction", "commitTransaction", "createSProcCall", "dateFormat", "execQuery",
        "execSProcCall", "execScalar", "execUpdate", "execUpdateAsync", "getConnectionInfo",
        "getConnections", "refresh", "removeDatasource", "rollbackTransaction", "runNamedQuery",
        "runPrepQuery", "runPrepUpdate", "runQuery", "runSFNamedQuery", "runSFPrepUpdate",
        "runSFUpdateQuery", "runScalarPrepQuery", "runScalarQuery", "runUpdateQuery",
        "setDatasourceConnectURL", "setDatasourceEnabled", "setDatasourceMaxConnections"
    ),
    "device": (
        "addDevice", "getDeviceHostname", "listDevices", "refreshBrowse", "removeDevice", "restart",
        "setDeviceEnabled", "setDeviceHostname"
    ),
    "dnp": (
        "demandPoll", "directOperateAnalog", "directOperateBinary", "freezeAnalogs",
        "freezeAtTimeAnalogs", "freezeAtTimeCounters", "freezeClearAnalogs", "freezeClearCounters",
        "freezeCounters", "selectOperateAnalog", "selectOperateBinary", "synchronizeTime"
    ),
    "dnp3": (
        "directOperateAnalog", "directOperateBinary", "freezeAnalogs", "freezeAnalogsAtTime",
        "freezeCounters", "freezeCountersAtTime", "selectOperateAnalog", "selectOperateBinary"
    ),
    "eam": (
        "getGroups", "queryAgentHistory", "queryAgentStatus", "runTask"
    ),
    "eventstream": (
        "getDiagnostics", "listEventStreams", "publishEvent"
    ),
    "file": (
        "fileExists", "getTempFile", "readFileAsBytes", "readFileAsString", "writeFile"
    ),
    "groups": (
        "loadFromFile", "removeGroups"
    ),
    "historian": (
        "browse", "deleteAnnotations", "queryAggregatedPoints", "queryAnnotations", "queryMetadata",
        "queryRawPoints", "storeAnnotations", "storeDataPoints", "storeMetadata",
        "updateRegisteredNodePath"
    ),
    "iec61850": (
        "cancel", "getControlParams", "listFiles", "operate", "readFile", "select", "writeFile"
    ),
    "kafka": (
        "listConnectorInfo", "listTopicPartitions", "listTopics", "pollPartition", "pollTopic",
        "seekLatest", "sendRecord", "sendRecordAsync"
    ),
    "math": (
        "geometricMean", "kurtosis", "max", "mean", "meanDifference", "median", "min", "mode",
        "normalize", "percentile", "populationVariance", "product", "skewness", "standardDeviation",
        "sum", "sumDifference", "sumLog", "sumSquares", "variance"
    ),
    "mongodb": (
        "aggregate", "deleteMany", "deleteOne", "find", "findOne", "insertMany", "insertOne",
        "listCollectionNames", "listConnectorInfo", "replaceOne", "updateMany", "updateOne"
    ),
    "net": (
        "getHostName", "getIpAddress", "getRemoteServers", "sendEmail"
    ),
    "opc": (
        "browse", "browseServer", "browseSimple", "getServerState", "getServers", "isServerEnabled",
        "readValue", "readValues", "setServerEnabled", "writeValue", "writeValues"
    ),
    "opchda": (
        "browse", "getAggregates", "getAttributes", "getServers", "insert", "insertReplace",
        "isServerAvailable", "readAttributes", "readProcessed", "readRaw", "replace"
    ),
    "opcua": (
        "addConnection", "callMethod", "removeConnection"
    ),
    "perspective": (
        "alterDock", "alterLogging", "authenticationChallenge", "closeDock", "closePage",
        "closePopup", "closeSession", "download", "getProjectInfo", "getSessionInfo",
        "isAuthorized", "login", "logout", "navigate", "navigateBack", "navigateForward",
        "openDock", "openPopup", "print", "refresh", "sendMessage", "setTheme", "toggleDock",
        "togglePopup", "vibrateDevice"
    ),
    "project": (
        "getProjectName", "getProjectNames", "requestScan"
    ),
    "report": (
        "executeAndDistribute", "executeReport", "getReportNamesAsDataset", "getReportNamesAsList"
    ),
    "roster": (
        "addUsers", "createRoster", "deleteRoster", "getRoster", "getRosterNames", "getRosters",
        "getUsers", "removeUsers"
    ),
    "secrets": (
        "createEmbeddedSecretConfig", "createReferencedSecretConfig", "decrypt", "encrypt",
        "getProviders", "getSecrets", "readConfiguredSecretValue", "readSecretValue"
    ),
    "secsgem": (
        "copyEquipment", "deleteToolProgram", "enableDisableEquipment", "getResponse",
        "getToolProgram", "getToolProgramDataset", "sendRequest", "sendResponse",
        "startSimEventRun", "toDataSet", "toTreeDataSet"
    ),
    "security": (
        "getRoles", "getUserRoles", "getUsername", "isScreenLocked", "lockScreen", "logout",
        "switchUser", "unlockScreen", "validateUser"
    ),
    "serial": (
        "closeSerialPort", "configureSerialPort", "openSerialPort", "port", "readBytes",
        "readBytesAsString", "readLine", "readUntil", "sendBreak", "write", "writeBytes"
    ),
    "sfc": (
        "cancelChart", "getRunningCharts", "getVariables", "pauseChart", "redundantCheckpoint",
        "resumeChart", "setVariable", "setVariables", "startChart"
    ),
    "tag": (
        "browse", "browseTags", "configure", "copy", "deleteTags", "exists", "exportTags",
        "getAttribute", "getConfiguration", "getTagPaths", "importTags", "move", "query",
        "queryTagCalculations", "queryTagDensity", "queryTagHistory", "read", "readAll",
        "readAsync", "readBlocking", "rename", "requestGroupExecution", "restartProvider",
        "storeTagHistory", "write", "writeAll", "writeAsync", "writeBlocking"
    ),
    "twilio": (
        "getAccounts", "getAccountsDataset", "getActiveCall", "getPhoneNumbers",
        "getPhoneNumbersDataset", "sendFreeformWhatsApp", "sendPhoneCall", "sendSms",
        "sendWhatsAppTemplate"
    ),
    "user": (
        "addCompositeSchedule", "addHoliday", "addRole", "addSchedule", "addUser",
        "createScheduleAdjustment", "editHoliday", "editRole", "editSchedule", "editUser",
        "getHoliday", "getHolidayNames", "getHolidays", "getNewUser", "getRoles", "getSchedule",
        "getScheduleNames", "getScheduledUsers", "getSchedules", "getUser", "getUserSources",
        "getUsers", "isUserScheduled", "removeHoliday", "removeRole", "removeSchedule", "removeUser"
    ),
    "util": (
        "audit", "beep", "execute", "getClientId", "getConnectionMode", "getEdition",
        "getGatewayStatus", "getGlobals", "getInactivitySeconds", "getLocale", "getLogger",
        "getModules", "getProjectName", "getProperty", "getSessionInfo", "getSystemFlags",
        "getVersion", "globals", "invokeAsynchronous", "invokeLater", "jsonDecode", "jsonEncode",
        "modifyTranslation", "queryAuditLog", "retarget", "sendMessage", "sendRequest",
        "sendRequestAsync", "setLocale", "setLoggingLevel", "threadDump", "translate"
    ),
}

CONSTANTS = {
    "date": (
        "APRIL", "AUGUST", "DECEMBER", "FEBRUARY", "FRIDAY", "JANUARY", "JULY", "JUNE", "MARCH",
        "MAY", "MONDAY", "NOVEMBER", "OCTOBER", "SATURDAY", "SEPTEMBER", "SUNDAY", "THURSDAY",
        "TUESDAY", "WEDNESDAY"
    ),
    "db": (
        "ARRAY", "BIGINT", "BINARY", "BIT", "BLOB", "BOOLEAN", "CHAR", "CLOB", "DATALINK", "DATE",
        "DECIMAL", "DISTINCT", "DOUBLE", "FLOAT", "INTEGER", "JAVA_OBJECT", "LONGNVARCHAR",
        "LONGVARBINARY", "LONGVARCHAR", "NCHAR", "NCLOB", "NULL", "NUMERIC", "NVARCHAR",
        "ORACLE_CURSOR", "OTHER", "READ_COMMITTED", "READ_UNCOMMITTED", "REAL", "REF",
        "REPEATABLE_READ", "ROWID", "SERIALIZABLE", "SMALLINT", "SQLXML", "STRUCT", "TIME",
        "TIMESTAMP", "TINYINT", "VARBINARY", "VARCHAR"
    ),
    "dnp3": (
        "CLOSE", "LATCH_OFF", "LATCH_ON", "NUL", "PULSE_OFF", "PULSE_ON", "TRIP"
    ),
    "file": (
        "ISO8859_1", "US_ASCII", "UTF_16", "UTF_16BE", "UTF_16LE", "UTF_8"
    ),
    "serial": (
        "BIT_RATE_110", "BIT_RATE_115200", "BIT_RATE_1200", "BIT_RATE_150", "BIT_RATE_19200",
        "BIT_RATE_230400", "BIT_RATE_2400", "BIT_RATE_300", "BIT_RATE_38400", "BIT_RATE_460800",
        "BIT_RATE_4800", "BIT_RATE_57600", "BIT_RATE_600", "BIT_RATE_921600", "BIT_RATE_9600",
        "DATA_BITS_5", "DATA_BITS_6", "DATA_BITS_7", "DATA_BITS_8", "DEFAULT_BIT_RATE",
        "DEFAULT_DATA_BITS", "DEFAULT_FLOW_CONTROL", "DEFAULT_HANDSHAKE",
        "DEFAULT_HARDWARE_FLOW_CONTROL", "DEFAULT_PARITY", "DEFAULT_READ_TIMEOUT_MS",
        "DEFAULT_STOP_BITS", "DEFAULT_WRITE_TIMEOUT_MS", "FLOW_CONTROL_CTS_ENABLED",
        "FLOW_CONTROL_DISABLED", "FLOW_CONTROL_DSR_ENABLED", "FLOW_CONTROL_DTR_ENABLED",
        "FLOW_CONTROL_RTS_ENABLED", "FLOW_CONTROL_XONXOFF_IN_ENABLED",
        "FLOW_CONTROL_XONXOFF_OUT_ENABLED", "PARITY_EVEN", "PARITY_MARK", "PARITY_NONE",
        "PARITY_ODD", "PARITY_SPACE", "STOP_BITS_1", "STOP_BITS_2"
    ),
    "tag": (
        "DEFAULT_TIMEOUT_MILLIS", "LEGACY_DEFAULT_TIMEOUT_MILLIS", "TAG_PATH"
    ),
    "util": (
        "APPLET_FLAG", "CLIENT_FLAG", "DESIGNER_FLAG", "FULLSCREEN_FLAG", "MOBILE_FLAG",
        "PREVIEW_FLAG", "SSL_FLAG", "WEBSTART_FLAG", "globals"
    ),
}
