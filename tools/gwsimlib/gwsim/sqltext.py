"""Rewriting a named query's text (pure Python, no Java: unit-tested under CPython 3 too).

Ignition's named queries mark a value parameter `:name` and a QueryString parameter `{name}`.
`placeholders` turns the value markers into JDBC `?` and says which parameter each one binds;
a marker inside a quoted literal or quoted identifier is text, and PostgreSQL's `::type` cast is
not a marker.
"""
import re

# A quoted literal or quoted identifier (kept as is), or a `:name` not preceded by another ':'
# or a word character (so `::type` casts and `a:b` are left alone).
_TOKENS = re.compile(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")|(?<![:\w]):([A-Za-z_]\w*)")


def placeholders(sql, names):
    """(sql with `?` for each `:name` of a declared name, [name bound by each `?`, in order])."""
    order = []

    def replace(match):
        literal, name = match.group(1), match.group(2)
        if literal is not None or name not in names:
            return match.group(0)
        order.append(name)
        return "?"

    return _TOKENS.sub(replace, sql), order


def paste(sql, name, text):
    """The QueryString parameter `{name}` replaced by text, as Ignition pastes it."""
    return sql.replace("{%s}" % name, text)
