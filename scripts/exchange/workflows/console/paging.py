"""Paging of the console's tables (Runs and Audit pages).

A page offset belongs to the filters it was chosen for: the query carries a
``key`` naming its filters, and the view sends back the key of the page it
shows (``offsetKey``). When a filter changes, the keys differ and the list
starts again at the first page, instead of showing page 7 of a different list.
"""
import json

from exchange.workflows.console.format import envelopeText, field, number, text

__all__ = ["pagedQuery", "pageModel"]


def pagedQuery(query, value):
    """Adds ``offset`` and ``key`` to a listing's keyword arguments.

    Args:
        query: the listing function's filter and ``limit`` arguments.
        value: the view's filter object, read for ``offset`` and ``offsetKey``.
    Returns:
        ``query`` with ``offset`` (0 unless ``offsetKey`` names these filters)
        and ``key``.
    """
    key = json.dumps(query, sort_keys=True)
    try:
        offset = max(0, number(field(value, "offset"), int) or 0)
    except ValueError:
        offset = 0
    query["offset"] = offset if text(field(value, "offsetKey")) == key else 0
    query["key"] = key
    return query


def pageModel(envelope, makeRow, noun, key):
    """Returns a table model from a paged listing envelope ({rows, total,
    limit, offset}): rows (``makeRow`` of each record), the page label
    ("<noun> 1-50 of 120"), the paging offsets, ``key`` and the message."""
    if not envelope or not envelope.get("ok"):
        return {"rows": [], "pageText": "", "hasPrevious": False, "hasNext": False,
                "previousOffset": 0, "nextOffset": 0, "key": key,
                "message": envelopeText(envelope)}
    data = envelope["data"]
    total, limit, offset = data["total"], data["limit"], data["offset"]
    rows = [makeRow(r) for r in data["rows"]]
    first = offset + 1 if rows else 0
    return {"rows": rows, "pageText": "%s %d-%d of %d" % (noun, first, offset + len(rows), total),
            "hasPrevious": offset > 0, "hasNext": offset + len(rows) < total,
            "previousOffset": max(0, offset - limit), "nextOffset": offset + limit,
            "key": key, "message": envelope.get("message")}
