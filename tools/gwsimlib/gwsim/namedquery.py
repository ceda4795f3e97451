"""Named queries of the project: `ignition/named-query/<path>/query.sql` + `resource.json`.

The on-disk form (Ignition 8.1 and 8.3 exports; resource.json "version": 2):
  query.sql       the SQL, with `:name` for a value parameter and `{name}` for a QueryString one
  resource.json   "attributes": {"type": "Query" | "UpdateQuery" | "ScalarQuery",
                  "database": "" (the project default) or a connection name, "enabled",
                  "parameters": [{"type": "Parameter" | "QueryString", "identifier": name,
                  "sqlType": Ignition's DataType ordinal}], and caching/fallback settings}
The path of a query is its folder below named-query/, with "/" separators ("folder/myQuery").

A query is read from disk on each call, so a project save (or an edit) is seen at once.
Caching, fallback values, permissions and max-return-size are not reproduced.
"""
import json
import os

from java.lang import Exception as JavaException
from java.util import Date

from gwsim import sqltext

# Ignition's DataType ordinals as named queries store them in "sqlType" (0 Int1 ... 9 Text).
_INTEGER_TYPES = (0, 1, 2, 3)
_FLOAT_TYPES = (4, 5)
_BOOLEAN_TYPE = 6
_STRING_TYPES = (7, 9)
_DATETIME_TYPE = 8

QUERY_TYPES = ("Query", "UpdateQuery", "ScalarQuery")


class NamedQuery(object):
    def __init__(self, path, sql, attributes):
        self.path = path
        self.sql = sql
        self.kind = attributes.get("type", "Query")
        self.database = attributes.get("database") or ""
        self.enabled = attributes.get("enabled", True)
        self.parameters = list(attributes.get("parameters") or [])

    def prepared(self, values):
        """(sql with ? placeholders, bound values in order) for a parameters dict.

        Value parameters (`:name`) are bound; QueryString parameters (`{name}`) are pasted into
        the text, as Ignition does (that is why IA warns against QueryString for user input).
        A declared parameter missing from `values` is NULL (or empty text for a QueryString).
        """
        values = values or {}
        declared = {}
        sql = self.sql
        for param in self.parameters:
            name = param.get("identifier")
            if param.get("type") == "QueryString":
                text = values.get(name)
                sql = sqltext.paste(sql, name, u"" if text is None else unicode(text))
            else:
                declared[name] = param.get("sqlType")
        sql, order = sqltext.placeholders(sql, declared)
        return sql, [_coerce(values.get(name), declared[name], name, self.path) for name in order]


def _coerce(value, sql_type, name, path):
    """A parameter value as Ignition binds it for its declared DataType."""
    if value is None:
        return None
    try:
        if sql_type in _INTEGER_TYPES and not isinstance(value, bool):
            return int(value) if not isinstance(value, (int, long)) else value
        if sql_type in _FLOAT_TYPES:
            return float(value)
        if sql_type == _BOOLEAN_TYPE:
            if isinstance(value, basestring):
                return value.strip().lower() in ("true", "1", "yes", "on")
            return bool(value)
        if sql_type in _STRING_TYPES and not isinstance(value, basestring):
            return unicode(value)
        if sql_type == _DATETIME_TYPE and isinstance(value, (int, long)) and not isinstance(value, bool):
            return Date(value)
    except (TypeError, ValueError):
        raise JavaException('Named query "%s": parameter "%s" cannot take the value %r'
                            % (path, name, value))
    return value


def named_query_root(project):
    if not project.events_root:
        return None
    return os.path.join(project.events_root, "ignition", "named-query")


def load(project, path):
    """The NamedQuery at `path` ("folder/name") of project, or raise java.lang.Exception."""
    root = named_query_root(project)
    clean = (path or "").strip("/")
    folder = os.path.join(root, *clean.split("/")) if root and clean else None
    if folder is None or ".." in clean.split("/") or not os.path.isfile(os.path.join(folder, "query.sql")):
        raise JavaException('Named query "%s" not found in project "%s"' % (path, project.name))
    with open(os.path.join(folder, "query.sql")) as handle:
        sql = handle.read().decode("utf-8")
    attributes = {}
    resource = os.path.join(folder, "resource.json")
    if os.path.isfile(resource):
        with open(resource) as handle:
            attributes = json.load(handle).get("attributes") or {}
    query = NamedQuery(clean, sql, attributes)
    if query.kind not in QUERY_TYPES:
        raise JavaException('Named query "%s": type "%s" is not one of %s'
                            % (path, query.kind, ", ".join(QUERY_TYPES)))
    if not query.enabled:
        raise JavaException('Named query "%s" is disabled' % path)
    return query
