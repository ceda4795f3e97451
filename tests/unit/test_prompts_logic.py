"""Pure logic of operator prompts (issue 12 item 4) on CPython 3: JSON value
comparison, an answer checked against a prompt's choices, rt.ask's
arguments. Behaviour with real runs and databases is tested in
tests/integration/test_prompts.py."""
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from exchange.workflows.core import prompts  # noqa: E402
from exchange.workflows.core.errors import InvalidArguments  # noqa: E402


@pytest.mark.parametrize("a, b", [
    (1, 1.0), ("a", u"a"), (None, None), ([1, "x"], [1.0, "x"]), ({"a": [1]}, {"a": [1.0]}),
    ((1, 2), [1, 2]), (True, True), (0.5, 0.5)])
def test_equal_json_values(a, b):
    assert prompts.sameValue(a, b) and prompts.sameValue(b, a)


@pytest.mark.parametrize("a, b", [
    (True, 1), (False, 0), (1, "1"), (None, 0), (None, ""), ([1], [1, 2]), ({"a": 1}, {"b": 1}),
    ({"a": 1}, {"a": 1, "b": 2}), ([1], {"0": 1}), ("a", ["a"]), (float("nan"), float("nan"))])
def test_different_json_values(a, b):
    assert not prompts.sameValue(a, b) and not prompts.sameValue(b, a)


def test_an_answer_becomes_the_choice_it_equals():
    choices = ["yes", 3, {"lot": 1}]
    assert prompts.choiceFor(3.0, choices) == 3 and isinstance(prompts.choiceFor(3.0, choices), int)
    assert prompts.choiceFor({"lot": 1.0}, choices) == {"lot": 1}
    assert prompts.choiceFor("anything", None) == "anything"
    with pytest.raises(InvalidArguments) as e:
        prompts.choiceFor("zebra", choices)
    # The message names the choices' count, never the value given.
    assert "3 choices" in str(e.value) and "zebra" not in str(e.value)
    with pytest.raises(InvalidArguments):
        prompts.choiceFor(True, [1, 2])


def test_ask_arguments_are_normalised():
    assert prompts.checkAsk("Go?", None, None, None) == (None, None, None)
    assert prompts.checkAsk("Go?", ("a", "b"), "b", 2.5) == (["a", "b"], "b", 2500)
    # The default is the choice it equals.
    choices, default, _ = prompts.checkAsk("Go?", [1, 2], 2.0, None)
    assert default == 2 and isinstance(default, int)
    assert prompts.checkAsk("Go?", None, "free text", 0.0001)[2] == 1


@pytest.mark.parametrize("prompt, choices, default, timeout", [
    ("", None, None, None), ("   ", None, None, None), (None, None, None, None),
    ("x" * (prompts.PROMPT_CHARS + 1), None, None, None), (42, None, None, None),
    ("Go?", [], None, None), ("Go?", "ab", None, None), ("Go?", {"a": 1}, None, None),
    ("Go?", list(range(prompts.MAX_CHOICES + 1)), None, None),
    ("Go?", [1, 1.0], None, None), ("Go?", ["a", "b"], "c", None),
    ("Go?", None, None, 0), ("Go?", None, None, -1), ("Go?", None, None, "5"),
    ("Go?", None, None, True), ("Go?", None, None, float("inf")), ("Go?", None, None, float("nan")),
    ("Go?", None, None, prompts.MAX_TIMEOUT_SECONDS * 2)])
def test_bad_ask_arguments_are_refused(prompt, choices, default, timeout):
    with pytest.raises(InvalidArguments):
        prompts.checkAsk(prompt, choices, default, timeout)
