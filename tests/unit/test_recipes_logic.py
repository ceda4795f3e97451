"""Pure logic of recipes (issue 13 item 3) on CPython 3: reading Perspective
Form props (widgets, sanitizing, meta, enum placeholders), enum options per
widget type, overrides, statuses, version numbers and the check of a
template against a workflow's signature. Behaviour with real databases is
tested in tests/integration/test_recipes.py."""
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from exchange.workflows.api import params as upstream  # noqa: E402
from exchange.workflows.core.errors import InvalidArguments  # noqa: E402
from exchange.workflows.engine import recipes, registry  # noqa: E402
from exchange.workflows.engine.recipes import RecipeError  # noqa: E402


def _form(*widgets, **data):
    return {"name": "designer.form", "validation": {"isValid": False},
            "columns": {"items": [{"rows": {"items": [{"widgets": list(widgets)}]}}]},
            "data": dict(data)}


def _dropdown(wid, label="@enum:Mode", kind="dropdown", key="label"):
    return {"id": wid, "type": kind, kind: {"options": [{key: label, "value": "__enum__"}]}}


def test_widgets_are_read_in_layout_order_across_columns_and_rows():
    props = {"columns": {"items": [
        {"rows": {"items": [{"widgets": [{"id": "a", "type": "text"}, "junk"]},
                            {"widgets": [{"id": "b", "type": "number"}]}]}},
        {"rows": {"items": [{"widgets": [{"id": "c", "type": "toggle"}]}]}},
        "not a column"]}}
    assert [w["id"] for w in recipes.widgets(props)] == ["a", "b", "c"]
    assert recipes.widgets({}) == [] and recipes.widgets({"columns": {"items": None}}) == []


def test_sanitize_drops_validation_forces_the_name_and_gives_every_widget_a_data_key():
    given = _form({"id": "line", "type": "text"}, {"id": "speed", "type": "number"}, line="L1")
    clean = recipes.sanitize(given, "mix.standard")
    assert "validation" not in clean and clean["name"] == "mix.standard"
    assert clean["data"] == {"line": "L1", "speed": None}
    assert given["validation"] == {"isValid": False}, "the caller's props are not changed"
    empty = recipes.sanitize({}, "w.t")
    assert empty["columns"] == {"items": [], "style": {"classes": ""}} and empty["data"] == {}


def test_meta_lists_parameters_types_defaults_and_enum_references():
    props = recipes.sanitize(_form({"id": "line", "type": "text"}, _dropdown("mode"),
                                   _dropdown("grade", "@enum:Grade:3", "radio", "text"),
                                   {"id": "line", "type": "number"}, {"type": "text"},
                                   line="L1", mode="AUTO"), "w.t")
    found = recipes.meta(props)
    assert found["paramKeys"] == ["line", "mode", "grade"]
    assert found["widgetTypes"] == {"line": "text", "mode": "dropdown", "grade": "radio"}
    assert found["defaultData"] == {"line": "L1", "mode": "AUTO", "grade": None}
    assert found["enumRefs"] == {"mode": {"enumName": "Mode", "enumVersion": None},
                                 "grade": {"enumName": "Grade", "enumVersion": 3}}


@pytest.mark.parametrize("widget", [
    {"id": "x", "type": "text", "text": {"options": [{"label": "@enum:Mode"}]}},
    _dropdown("x", "Mode"),
    _dropdown("x", "@enum:"),
    {"id": "x", "type": "dropdown", "dropdown": {"options": []}},
    {"id": "x", "type": "dropdown", "dropdown": {"options": ["@enum:Mode"]}},
])
def test_only_a_first_option_labelled_at_enum_on_an_option_widget_is_an_enum_reference(widget):
    assert recipes.enumRef(widget) is None


def test_enum_options_are_written_in_each_widget_types_own_shape():
    values = [{"label": "Auto", "value": "AUTO", "isDisabled": False},
              {"label": "Manual", "value": "MANUAL", "isDisabled": True}, "junk"]
    assert recipes.widgetOptions(values, "dropdown") == [
        {"label": "Auto", "value": "AUTO", "isDisabled": False},
        {"label": "Manual", "value": "MANUAL", "isDisabled": True}]
    assert recipes.widgetOptions(values, "radio") == [{"text": "Auto", "value": "AUTO"},
                                                      {"text": "Manual", "value": "MANUAL"}]
    assert recipes.widgetOptions(values, "toggle")[0] == {"text": "Auto", "value": "AUTO"}
    assert recipes.widgetOptions(values, "checkbox")[1] == {"text": "Manual", "value": "MANUAL",
                                                            "triState": False}


def test_enum_values_are_normalized_and_refused_when_malformed():
    assert recipes.enumValues('[{"value": 1}, {"label": "B", "value": "b", "isDisabled": 1}]') == [
        {"label": "1", "value": 1, "isDisabled": False},
        {"label": "B", "value": "b", "isDisabled": True}]
    for bad in ([], "[1]", [{"label": "no value"}], [{"value": "a"}, {"value": "a"}], "{x"):
        with pytest.raises(InvalidArguments):
            recipes.enumValues(bad)


def test_overrides_are_the_keys_whose_value_differs_from_the_template_default():
    base = {"line": "L1", "speed": 5, "mode": None}
    assert recipes.overrides(base, {"line": "L1", "speed": 7, "extra": 1}) == {"speed": 7, "extra": 1}
    assert recipes.overrides(None, None) == {}
    assert upstream.computeOverridesData(base, {"line": "L2", "speed": 5}) == {"line": "L2"}


def test_statuses_are_active_or_obsolete_and_inactive_means_obsolete():
    assert recipes.statusNamed(" Active ") == "active"
    assert recipes.statusNamed("inactive") == "obsolete"
    for bad in ("deleted", "", None, 1):
        with pytest.raises(RecipeError) as e:
            recipes.statusNamed(bad)
        assert e.value.error == "invalid_status"


def test_versions_accept_integers_and_digit_text_from_views():
    assert recipes.version("v", 3) == 3 and recipes.version("v", "12") == 12
    assert recipes.version("v", 2.0) == 2 and recipes.version("v", None) is None
    for bad in (0, -1, "x", 1.5, True):
        with pytest.raises(InvalidArguments):
            recipes.version("v", bad)
    with pytest.raises(InvalidArguments):
        recipes.version("v", None, required=True)


def test_a_missing_name_is_refused_as_0_3_6_named_it():
    with pytest.raises(RecipeError) as e:
        recipes.name("workflowName", "  ")
    assert e.value.error == "workflowName_required"


def test_a_template_is_checked_against_the_workflows_signature():
    def mix(line, speed=1, mode="AUTO"):
        return line

    def anything(line, **rest):
        return line
    strict = registry.WorkflowDef("r.mix", mix, {})
    loose = registry.WorkflowDef("r.any", anything, {})
    assert recipes.signatureProblem(strict, ["line", "speed"]) is None
    unknown = recipes.signatureProblem(strict, ["line", "temperature"])
    assert unknown.code == "TEMPLATE_INVALID" and unknown.error == "param_not_in_workflow:temperature"
    missing = recipes.signatureProblem(strict, ["speed"])
    assert missing.error == "required_param_missing:line"
    assert recipes.signatureProblem(loose, ["line", "temperature"]) is None
    assert recipes.signatureProblem(loose, ["temperature"]).error == "required_param_missing:line"


def test_param_source_has_0_3_6s_shape_with_sorted_override_names():
    assert recipes.paramSource("standard", 2, ["speed", "line"], "op1") == {
        "template": {"name": "standard", "version": 2}, "overrides": ["line", "speed"],
        "actor": "op1"}


def test_documents_come_from_json_text_or_dicts():
    assert recipes.mapping('{"a": [1, 2]}', "formProps") == {"a": [1, 2]}
    assert recipes.mapping(None, "x") == {}
    with pytest.raises(InvalidArguments):
        recipes.mapping("[1]", "formProps")
    with pytest.raises(InvalidArguments):
        recipes.mapping("{bad", "formProps")
