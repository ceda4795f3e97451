"""gwsim's rewriting of named-query text (tools/gwsimlib/gwsim/sqltext.py): Ignition's `:name`
value markers become JDBC `?` in order, and nothing else does."""

import importlib.util
import os

from tests.support.gwsim import ROOT

_spec = importlib.util.spec_from_file_location(
    "gwsim_sqltext", os.path.join(ROOT, "tools", "gwsimlib", "gwsim", "sqltext.py"))
sqltext = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sqltext)


def test_value_markers_become_placeholders_in_order_and_repeat():
    sql, order = sqltext.placeholders("SELECT * FROM t WHERE a = :a AND (b = :b OR :a IS NULL)", {"a", "b"})
    assert sql == "SELECT * FROM t WHERE a = ? AND (b = ? OR ? IS NULL)"
    assert order == ["a", "b", "a"]


def test_literals_casts_and_undeclared_names_are_left_alone():
    sql, order = sqltext.placeholders(
        "SELECT ':a' AS lit, \"col:a\", x::text, 'it''s :a', :b FROM t WHERE y = :a", {"a"})
    assert sql == "SELECT ':a' AS lit, \"col:a\", x::text, 'it''s :a', :b FROM t WHERE y = ?"
    assert order == ["a"]


def test_marker_must_start_a_word():
    sql, order = sqltext.placeholders("SELECT a:b, :bb, :b FROM t", {"b"})
    assert sql == "SELECT a:b, :bb, ? FROM t"
    assert order == ["b"]


def test_query_string_is_pasted_as_text():
    assert sqltext.paste("SELECT * FROM t ORDER BY {col}", "col", "qty DESC") == "SELECT * FROM t ORDER BY qty DESC"
