"""The forms of the signed-in pages, as the browser gets them: each posts to its own target with
the page's CSRF token, its fields are what the act takes (named, typed and bounded as the
definition says), and the page's language names them."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from accel666 import lifecycle
from accel666.policies.loader import load_default
from accel666.views import forms, labels

CSRF = "tok-en_1"


class Parsed(HTMLParser):
    """The forms of a piece of HTML: their attributes and their controls' attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append({**attributes, "controls": []})
        elif tag in ("input", "select", "button", "option") and self.forms:
            self.forms[-1]["controls"].append((tag, attributes))


def controls(form: dict, tag: str = "input") -> dict[str, dict]:
    return {a["name"]: a for t, a in form["controls"] if t == tag and "name" in a}


def only(html: str) -> dict:
    [form] = Parsed(html).forms
    assert form["method"] == "post" and form["class"].startswith("act")
    assert controls(form)["csrf"] == {"type": "hidden", "name": "csrf", "value": CSRF}
    return form


@pytest.mark.parametrize("event", list(lifecycle.TAKES))
def test_an_event_s_form_takes_what_the_event_takes(event):
    form = only(forms.event_form(7, event, CSRF))
    assert (form["action"], form["data-event"]) == (f"/p/7/act/{event}", event)
    named = {**controls(form), **controls(form, "select")}
    takes = {i.name: i for i in lifecycle.TAKES[event] if i.kind != lifecycle.FILENAME}
    assert set(named) - {"csrf"} == set(takes)
    for name, given in takes.items():
        attributes = named[name]
        assert ("required" in attributes) == given.required, name
        if given.kind == lifecycle.INTEGER:
            assert attributes["type"] == "number" and attributes["min"] == str(given.low)
            assert attributes.get("max") == (None if given.high is None else str(given.high))
        if given.kind == lifecycle.DOCUMENT:
            assert attributes["type"] == "file"
        if given.kind == lifecycle.FLAG:
            assert (attributes["type"], attributes["value"]) == ("checkbox", "true")
    upload = any(i.kind == lifecycle.DOCUMENT for i in takes.values())
    assert form.get("enctype") == ("multipart/form-data" if upload else None)


def test_a_verdict_is_chosen_from_the_verdicts_by_name():
    with labels.speaking("zh"):
        html = forms.event_form(7, "review", CSRF)
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', html)
    assert options == [("", ""), ("pass", "通过"), ("fail", "不通过")]
    assert "<button type=\"submit\">专家评审</button>" in html


def test_an_expert_scores_from_0_to_100_with_a_comment_or_recuses_with_a_reason():
    scoring, recusing = Parsed(forms.score_forms(7, CSRF)).forms
    assert (scoring["action"], recusing["action"]) == ("/p/7/act/score", "/p/7/act/recuse")
    score = controls(scoring)["score"]
    assert (score["type"], score["min"], score["max"], "required" in score) == (
        "number", "0", "100", True)
    assert "required" not in controls(scoring)["comment"]
    assert "required" in controls(recusing)["reason"]


def test_an_escalation_is_acknowledged_with_a_note():
    form = only(forms.ack_form(12, CSRF))
    assert (form["action"], "required" in controls(form)["note"]) == ("/act/ack/12", True)


def test_docking_offers_the_regions_given_and_every_category_by_name():
    policy = load_default()
    with labels.speaking("zh"):
        html = forms.dock_form(policy, ["320583"], CSRF)
    form = only(html)
    assert form["action"] == "/act/dock"
    code = controls(form)["credit_code"]
    assert (code["minlength"], code["maxlength"], "required" in code) == ("18", "18", True)
    assert all("required" in controls(form)[f] for f in ("title", "enterprise"))
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', html)
    assert options[0] == ("320583", "昆山市")
    assert options[1:] == [(k, c.name) for k, c in policy.categories.items()]


@pytest.mark.parametrize(("extend", "publish", "actions"), [
    (True, True, ["/act/extend/2020-1", "/act/publish/2020-1"]),
    (True, False, ["/act/extend/2020-1"]),
    (False, True, ["/act/publish/2020-1"]),
    (False, False, []),
])
def test_a_batch_s_forms_are_those_the_role_may_use(extend, publish, actions):
    found = Parsed(forms.batch_forms(load_default(), "2020-1", CSRF, extend=extend,
                                     publish=publish)).forms
    assert [f["action"] for f in found] == actions
    for form in found:
        assert controls(form)["csrf"]["value"] == CSRF
    if extend:
        extending = found[0]
        phases = [a["value"] for t, a in extending["controls"] if t == "option"]
        assert phases == list(lifecycle.PHASES)
        assert controls(extending)["until"]["type"] == "date"
        assert all("required" in controls(extending)[f] for f in ("until", "reason"))


def test_each_field_is_named_in_the_page_s_language():
    with labels.speaking("zh"):
        apply = forms.event_form(7, "apply", CSRF)
        ack = forms.ack_form(12, CSRF)
    assert "<label>纸质材料份数 " in apply and "<label>电子文档 " in apply
    assert "<label>说明 " in ack and ">确认督办<" in ack
