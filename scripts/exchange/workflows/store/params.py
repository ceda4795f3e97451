"""Statements on the recipe tables: parameter templates (``{templates}``,
versions per workflow and template name) and enums (``{enums}``), and the
run's ``param_source`` column. engine/recipes.py holds the rules.

A new version is one INSERT that reads the highest version of its name and
adds one: two inserts racing for the same number meet the primary key, the
loser inserts nothing (ON CONFLICT DO NOTHING) and returns no row, and the
caller tries again with a fresh maximum."""
from exchange.workflows.store.rows import toDicts

TEMPLATE_COLUMNS = ("workflow_name", "template_name", "template_version", "status",
                    "description", "created_by", "created_ms", "updated_by", "updated_ms")
ENUM_COLUMNS = ("enum_name", "enum_version", "status", "description", "created_by",
                "created_ms", "updated_by", "updated_ms")

_NEXT_TEMPLATE = (
    "INSERT INTO {templates} (workflow_name, template_name, template_version, schema_doc, status, "
    "description, created_by, created_ms, updated_by, updated_ms) "
    "SELECT CAST(? AS VARCHAR(200)), CAST(? AS VARCHAR(200)), COALESCE(MAX(template_version), 0) + 1, "
    "CAST(? AS TEXT), CAST(? AS VARCHAR(20)), CAST(? AS TEXT), CAST(? AS VARCHAR(200)), "
    "CAST(? AS BIGINT), CAST(? AS VARCHAR(200)), CAST(? AS BIGINT) "
    "FROM {templates} WHERE workflow_name = ? AND template_name = ? "
    "ON CONFLICT DO NOTHING RETURNING template_version")

_NEXT_ENUM = (
    "INSERT INTO {enums} (enum_name, enum_version, values_doc, status, description, created_by, "
    "created_ms, updated_by, updated_ms) "
    "SELECT CAST(? AS VARCHAR(200)), COALESCE(MAX(enum_version), 0) + 1, CAST(? AS TEXT), "
    "CAST(? AS VARCHAR(20)), CAST(? AS TEXT), CAST(? AS VARCHAR(200)), CAST(? AS BIGINT), "
    "CAST(? AS VARCHAR(200)), CAST(? AS BIGINT) "
    "FROM {enums} WHERE enum_name = ? "
    "ON CONFLICT DO NOTHING RETURNING enum_version")


def _listed(store, table, columns, key, where, args, version, status, latestOnly):
    """Rows of ``table`` matching ``where``, newest version first per name;
    with ``latestOnly`` only the newest version (of that status, when one is
    given) of each name. Portable: no DISTINCT ON."""
    clause = where
    if status is not None:
        clause += " AND t.status = ?"
        args = args + [status]
    if latestOnly:
        inner = " AND x.status = ?" if status is not None else ""
        clause += (" AND t.%s = (SELECT MAX(x.%s) FROM %s x WHERE x.%s = t.%s%s%s)"
                   % (version, version, table, key, key, _sameOwner(table), inner))
        if status is not None:
            args = args + [status]
    ds = store.query("SELECT " + ", ".join("t." + c for c in columns) + " FROM " + table
                     + " t WHERE " + clause + " ORDER BY t.%s, t.%s DESC" % (key, version), args)
    return toDicts(ds, columns)


def _newest(store, table, columns, where, args, versionColumn, version, status):
    """The row of ``version`` (or the newest, of ``status`` when given) of one name, or None."""
    if version is not None:
        where += " AND %s = ?" % versionColumn
        args = args + [int(version)]
    if status is not None:
        where += " AND status = ?"
        args = args + [status]
    ds = store.query("SELECT " + ", ".join(columns) + " FROM " + table + " WHERE " + where
                     + " ORDER BY %s DESC LIMIT 1" % versionColumn, args)
    rows = toDicts(ds, columns)
    return rows[0] if rows else None


def _sameOwner(table):
    # A template's versions are numbered per (workflow, template name).
    return " AND x.workflow_name = t.workflow_name" if table == "{templates}" else ""


# -- templates -------------------------------------------------------------------------------
def listTemplates(store, workflowName, status=None, latestOnly=True):
    """Template versions of ``workflowName`` (TEMPLATE_COLUMNS, camelCase)."""
    return _listed(store, "{templates}", TEMPLATE_COLUMNS, "template_name", "t.workflow_name = ?",
                   [workflowName], "template_version", status, latestOnly)


def getTemplate(store, workflowName, templateName, version=None, status=None):
    """One version (the newest, of ``status`` if given, when ``version`` is
    None) with its ``schemaDoc`` text, or None."""
    return _newest(store, "{templates}", TEMPLATE_COLUMNS + ("schema_doc",),
                   "workflow_name = ? AND template_name = ?", [workflowName, templateName],
                   "template_version", version, status)


def insertTemplate(store, workflowName, templateName, schemaDoc, status, description, by, now):
    """Adds the next version; returns its number, or None when a concurrent
    insert took that number (try again)."""
    ds = store.query(_NEXT_TEMPLATE, [workflowName, templateName, schemaDoc, status, description,
                                      by, now, by, now, workflowName, templateName])
    return int(ds[0][0]) if len(ds) else None


def setTemplateStatus(store, workflowName, templateName, version, status, by, now):
    """Returns how many rows changed (0: no such version)."""
    return store.update(
        "UPDATE {templates} SET status = ?, updated_by = ?, updated_ms = ? "
        "WHERE workflow_name = ? AND template_name = ? AND template_version = ?",
        [status, by, now, workflowName, templateName, int(version)])


def deleteTemplates(store, workflowName, templateName, version=None):
    """Deletes one version, or every version when ``version`` is None; returns how many."""
    where, args = "workflow_name = ? AND template_name = ?", [workflowName, templateName]
    if version is not None:
        where += " AND template_version = ?"
        args.append(int(version))
    return store.update("DELETE FROM {templates} WHERE " + where, args)


# -- enums -----------------------------------------------------------------------------------
def listEnums(store, status=None, latestOnly=True):
    """Enum versions (ENUM_COLUMNS, camelCase)."""
    return _listed(store, "{enums}", ENUM_COLUMNS, "enum_name", "1 = 1", [], "enum_version",
                   status, latestOnly)


def getEnum(store, enumName, version=None, status=None):
    """One version (the newest, of ``status`` if given, when ``version`` is
    None) with its ``valuesDoc`` text, or None."""
    return _newest(store, "{enums}", ENUM_COLUMNS + ("values_doc",), "enum_name = ?", [enumName],
                   "enum_version", version, status)


def insertEnum(store, enumName, valuesDoc, status, description, by, now):
    """Adds the next version; returns its number, or None when a concurrent
    insert took that number (try again)."""
    ds = store.query(_NEXT_ENUM, [enumName, valuesDoc, status, description, by, now, by, now,
                                  enumName])
    return int(ds[0][0]) if len(ds) else None


def setEnumStatus(store, enumName, version, status, by, now):
    """Returns how many rows changed (0: no such version)."""
    return store.update(
        "UPDATE {enums} SET status = ?, updated_by = ?, updated_ms = ? "
        "WHERE enum_name = ? AND enum_version = ?", [status, by, now, enumName, int(version)])


def deleteEnums(store, enumName, version=None):
    """Deletes one version, or every version when ``version`` is None; returns how many."""
    where, args = "enum_name = ?", [enumName]
    if version is not None:
        where += " AND enum_version = ?"
        args.append(int(version))
    return store.update("DELETE FROM {enums} WHERE " + where, args)


# -- the run's parameter source --------------------------------------------------------------
def recordSource(store, workflowId, sourceDoc, tx=None):
    """Records which template a new run started from; written once (a run's
    source never changes). Returns how many rows changed."""
    return store.update("UPDATE {status} SET param_source = ? WHERE workflow_id = ? "
                        "AND param_source IS NULL", [sourceDoc, workflowId], tx)
