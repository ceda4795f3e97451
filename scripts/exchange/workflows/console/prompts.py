"""The console's operator inbox: the pending prompts of ``service.listPrompts``
as cards (view exchange/workflows/Prompt), each with one button per choice
(view exchange/workflows/PromptChoice) or, for a prompt without choices, a
text field; on the Inbox page for every run, on the Run page for its run.

A choice travels through the views as JSON text, so a number, a list or a
dict reaches ``service.respond`` as the value the workflow offered, not as
whatever Perspective would make of it."""
import json

from exchange.workflows.console.format import envelopeText, formatTime, text
from exchange.workflows.core import states
from exchange.workflows.core.codec import TEXT

__all__ = ["PAGE_SIZE", "NOTHING_TYPED", "inbox", "promptCards", "inboxSummary",
           "choiceButtons", "choiceValue", "typedValue"]

PAGE_SIZE = 100
NOTHING_TYPED = "Type an answer first."


def inbox(envelope):
    """The Inbox model of a PROMPTS_LISTED envelope: {cards, summary}."""
    return {"cards": promptCards(envelope), "summary": inboxSummary(envelope)}


def promptCards(envelope):
    """Returns the Prompt view instances (params) of a PROMPTS_LISTED
    envelope, oldest first; [] on failure."""
    data = envelope.get("data") if envelope and envelope.get("ok") else None
    return [_card(p) for p in (data or {}).get("rows") or []]


def _card(p):
    choices = p.get("choices")
    return {"workflowId": p.get("workflowId"), "key": p.get("key"),
            "title": "%s  %s" % (p.get("workflowName"), p.get("workflowId")),
            "prompt": p.get("prompt") or "", "details": _details(p),
            "choices": [{"label": _label(c), "value": json.dumps(c, sort_keys=True)}
                        for c in choices or []],
            "free": choices is None}


def _label(choice):
    return choice if isinstance(choice, TEXT) else json.dumps(choice, sort_keys=True)


def _details(p):
    parts = ["Key %s" % p.get("key"), "asked %s" % formatTime(p.get("createdMs"))]
    if p.get("expiresMs") is not None:
        default = p.get("default")
        parts.append("times out %s%s" % (formatTime(p.get("expiresMs")), "" if default is None
                                          else " (then: %s)" % _label(default)))
    if p.get("runStatus") == states.HELD:
        parts.append("the run is HELD: it takes the answer after RESUME")
    return "; ".join(parts)


def inboxSummary(envelope):
    """The line above the inbox: how many prompts wait, or why none are shown."""
    if not envelope or not envelope.get("ok"):
        return envelopeText(envelope)
    data = envelope.get("data") or {}
    total, shown = data.get("total") or 0, len(data.get("rows") or [])
    if not total:
        return "No prompt is waiting for an answer."
    if shown < total:
        return "%d prompts wait for an answer; the oldest %d are shown." % (total, shown)
    return "%d prompt%s wait%s for an answer." % (total, "" if total == 1 else "s",
                                                  "s" if total == 1 else "")


def choiceButtons(workflowId, key, choices, reason):
    """The PromptChoice view instances of one card: its choices with what
    answering needs (the reason typed on the card)."""
    return [{"workflowId": workflowId, "key": key, "label": c["label"], "value": c["value"],
             "reason": text(reason) or ""} for c in choices or []]


def choiceValue(valueText):
    """The value a choice button answers (its JSON text decoded)."""
    return json.loads(valueText)


def typedValue(typed):
    """The value typed for a prompt without choices (text), or None when empty."""
    return text(typed)
