"""The console's page configuration and views fit together: the Nav view in
every page's top dock fits the dock's height (its padding and its row of
links), so the dock shows no scroll bar and clips no button."""
import json
import os

from tests.support.gwsim import ROOT

PERSPECTIVE = os.path.join(ROOT, "ignition-project", "com.inductiveautomation.perspective")
NAV = "exchange/workflows/Nav"


def _json(*parts):
    with open(os.path.join(PERSPECTIVE, *parts)) as f:
        return json.load(f)


def _pixels(value):
    assert value.endswith("px"), value
    return int(value[:-2])


def _vertical_padding(shorthand):
    """Top + bottom of a CSS padding shorthand in px (1 to 4 values)."""
    values = [_pixels(v) for v in shorthand.split()]
    top = values[0]
    bottom = values[2] if len(values) > 2 else values[0]
    return top + bottom


def _nav_docks():
    pages = _json("page-config", "config.json")["pages"]
    docks = [(url, dock) for url, page in sorted(pages.items())
             for dock in page.get("docks", {}).get("top", []) if dock["viewPath"] == NAV]
    assert len(docks) == len(pages) >= 6, "every console page has the Nav dock"
    return docks


def test_the_nav_dock_height_holds_the_nav_views_padding_and_links():
    view = _json("views", NAV, "view.json")
    root = view["root"]
    style = root["props"]["style"]
    (links,) = root["children"]
    assert root["props"]["direction"] == "column" and links["meta"]["name"] == "Links"
    content = _vertical_padding(style["padding"]) + _pixels(links["position"]["basis"])
    for url, dock in _nav_docks():
        assert content <= dock["size"], "%s: the Nav needs %d px, the dock is %d px" % (
            url, content, dock["size"])
        assert view["props"]["defaultSize"]["height"] == dock["size"], url
    # Links stretch to the row's height, and nothing ever scrolls inside the dock.
    assert links["position"]["shrink"] == 0 and links["props"]["alignItems"] == "stretch"
    assert style.get("overflow") == "hidden" and "overflowY" not in style
