"""Values for the step library: JSON-safe results, and tag-typed comparison.

JSON conversion itself is ``core/codec.py``; ``plain`` adds the fallback a
step needs *after* its side effect has happened (a value with no JSON form
becomes its text rather than failing the checkpoint), and ``sameValue`` the
comparison rules used by ``tags.write_confirm`` and ``wait.until_tag_equals``.
Both live in ``core/tagvalues.py`` (the engine's check of released tag waits
compares the same way); this module keeps the names the steps import.
"""
from exchange.workflows.core.tagvalues import plain, qualityName, sameValue

__all__ = ["plain", "qualityName", "sameValue"]
