"""Turns PyDataSet rows into plain dicts with camelCase keys and Python values."""


def plain(value):
    """A JDBC value as the Python value the engine uses (int, float, text, None)."""
    if value is None or isinstance(value, (int, float, bool)):
        return value
    try:
        if isinstance(value, long):  # noqa: F821 - Python 2
            return int(value)
    except NameError:
        pass
    if hasattr(value, "getTime") and hasattr(value, "toInstant"):
        return int(value.getTime())
    if hasattr(value, "longValue") and hasattr(value, "scale"):
        return int(value.longValue()) if value.scale() <= 0 else value.doubleValue()
    if hasattr(value, "intValue") and hasattr(value, "doubleValue"):
        return int(value.longValue())
    try:
        return unicode(value)  # noqa: F821 - Python 2: JDBC text arrives as unicode
    except NameError:
        return str(value)


def camel(name):
    head, _, rest = name.partition("_")
    parts = [p for p in rest.split("_") if p]
    return head + "".join(p[:1].upper() + p[1:] for p in parts)


def toDicts(ds, columns):
    """Returns a list of dicts, one per row, keyed by ``columns`` in camelCase."""
    keys = [camel(c) for c in columns]
    out = []
    for row in ds:
        out.append(dict((keys[i], plain(row[i])) for i in range(len(keys))))
    return out
