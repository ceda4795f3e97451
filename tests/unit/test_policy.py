"""The authorization policy's rules (engine/policy.py), on CPython: the
default policy, validation of edits, start rules per workflow, and the
security level paths Ignition is asked about."""
import copy
import os
import sys

import pytest

from tests.support.gwsim import ROOT

sys.path.insert(0, os.path.join(ROOT, "scripts"))
from exchange.workflows.engine import policy  # noqa: E402
from exchange.workflows.core.errors import InvalidArguments  # noqa: E402


def default():
    return copy.deepcopy(policy.normalize(policy.DEFAULT))


def test_default_policy_reads_for_the_authenticated_commands_for_operators_admin_for_admins():
    p = default()
    read = policy.rule(p, "read")
    assert read.paths() == ["Authenticated"] and not read.clients and not read.isPublic()
    for action in ("start", "hold", "stop", "operate"):
        assert policy.rule(p, action).paths() == ["Authenticated/Roles/Operator",
                                                  "Authenticated/Roles/Administrator"], action
    for action in ("admin", "audit"):
        assert policy.rule(p, action).paths() == ["Authenticated/Roles/Administrator"], action
    assert policy.rule(p, "recipes").paths() == ["Authenticated/Roles/Engineer",
                                                 "Authenticated/Roles/Administrator"]
    assert not any(policy.rule(p, a).clients for a in policy.ACTIONS)
    assert policy.rolesNamed(p) == ["Operator", "Administrator", "Engineer"]


@pytest.mark.parametrize("edit,fragment", [
    (lambda p: p["actions"].update(launch={}), "unknown action(s) launch"),
    (lambda p: p.update(owner="me"), "unknown key(s) owner"),
    (lambda p: p["actions"].pop("audit"), "missing: audit"),
    (lambda p: p["actions"]["start"].update(users=["bob"]), "unknown key(s) users"),
    (lambda p: p["actions"]["start"].update(roles="Operator"), "must be a list"),
    (lambda p: p["actions"]["start"].update(roles=["Authenticated/Roles/Operator"]),
     "put security level paths in 'levels'"),
    (lambda p: p["actions"]["start"].update(roles=[""]), "non-empty role names"),
    (lambda p: p["actions"]["read"].update(levels=["/Authenticated"]), "not a security level path"),
    (lambda p: p["actions"]["read"].update(levels=["Public/Operators"]), "Public is never"),
    (lambda p: p["actions"]["stop"].update(clients="yes"), "clients must be true or false"),
    (lambda p: p.update(startRules=[{"roles": ["Operator"]}]), "startRules[0].workflows"),
    (lambda p: p.update(startRules={"t.*": {}}), "must be a list"),
])
def test_an_edit_with_a_mistake_is_refused_naming_it(edit, fragment):
    p = default()
    edit(p)
    with pytest.raises(InvalidArguments) as e:
        policy.normalize(p)
    assert fragment in str(e.value)


def test_a_stored_policy_from_an_older_version_gets_defaults_for_new_actions():
    p = default()
    del p["actions"]["audit"]
    filled = policy.normalize(p, fillMissing=True)
    assert filled["actions"]["audit"] == policy.DEFAULT["actions"]["audit"]
    assert filled["actions"]["audit"] is not policy.DEFAULT["actions"]["audit"]


def test_a_stored_policy_without_recipes_keeps_recipes_with_whoever_administers():
    p = default()
    del p["actions"]["recipes"]
    p["actions"]["admin"] = {"roles": ["Supervisor"], "levels": ["Plant/Eng"], "clients": False}
    filled = policy.normalize(p, fillMissing=True)
    assert filled["actions"]["recipes"] == filled["actions"]["admin"]
    assert filled["actions"]["recipes"] is not filled["actions"]["admin"]
    with pytest.raises(InvalidArguments) as e:
        policy.normalize(p)
    assert "missing: recipes" in str(e.value)


def test_names_are_trimmed_and_deduplicated_and_missing_keys_default_to_nothing():
    p = default()
    p["actions"]["hold"] = {"roles": [" Operator ", "Operator", "Shift Lead"]}
    out = policy.normalize(p)["actions"]["hold"]
    assert out == {"roles": ["Operator", "Shift Lead"], "levels": [], "clients": False}
    p["actions"]["operate"] = {}
    assert policy.rule(policy.normalize(p), "operate").describe() == "nobody"


def test_start_rules_pick_the_first_matching_glob_else_the_start_rule():
    p = default()
    p["startRules"] = [{"workflows": "cip.*", "roles": ["Supervisor"]},
                       {"workflows": "cip.rinse", "roles": ["Operator"]},
                       {"workflows": "demo.?mall", "levels": ["Public"], "clients": True}]
    p = policy.normalize(p)
    assert policy.rule(p, "start", "cip.rinse").roles == ("Supervisor",)
    assert policy.rule(p, "start", "cip.rinse").workflows == "cip.*"
    assert policy.rule(p, "start", "CIP.rinse").roles == ("Operator", "Administrator")  # case
    kiosk = policy.rule(p, "start", "demo.small")
    assert kiosk.isPublic() and kiosk.clients and kiosk.paths() == []
    assert kiosk.describe() == "every session"
    assert policy.rule(p, "start").workflows is None
    assert policy.rule(p, "hold", "cip.rinse").roles == ("Operator", "Administrator")
    assert policy.rolesNamed(p) == ["Operator", "Administrator", "Engineer", "Supervisor"]


def test_rule_paths_and_description_name_roles_and_levels():
    r = policy.Rule(["Operator"], ["Operators/Line1"], False)
    assert r.paths() == ["Authenticated/Roles/Operator", "Operators/Line1"]
    assert r.describe() == "role Operator, or security level Operators/Line1"
    with pytest.raises(ValueError):
        policy.rule(default(), "launch")


def test_deny_all_grants_nothing():
    p = policy.normalize(policy.DENY_ALL)
    assert all(policy.rule(p, a).paths() == [] and not policy.rule(p, a).clients
               for a in policy.ACTIONS)
