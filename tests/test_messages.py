"""The catalogue: every message in both languages, with the same placeholders."""

from __future__ import annotations

import string

from toolkit.forms.registry import available_forms, load_form
from toolkit.messages import catalogue, render


def _fields(text: str) -> set[str]:
    return {
        name.split(".")[0].split("[")[0].split(":")[0]
        for _, name, _, _ in string.Formatter().parse(text)
        if name
    }


def test_every_message_exists_in_both_languages_with_the_same_placeholders() -> None:
    zh, en = catalogue("zh"), catalogue("en")
    assert set(zh) == set(en), set(zh) ^ set(en)
    for key in zh:
        assert _fields(zh[key]) == _fields(en[key]), key


def test_every_rule_of_every_shipped_form_has_a_sentence_in_both_languages() -> None:
    for form in available_forms():
        spec = load_form(form)
        for rule in spec.rules:
            for lang in ("zh", "en"):
                text = spec.rule_text(rule.message, lang)
                assert text and not text.startswith("rule."), (form, rule.message, lang)


def test_render_falls_back_and_fills_parameters() -> None:
    assert render("files.exists", lang="en", path="a.xlsx").count("a.xlsx") == 1
    assert "a.xlsx" in render("files.exists", lang="zh", path="a.xlsx")
    assert render("no.such.id") == "no.such.id"


RESERVED = {"lang", "message_id"}  # names render() takes for itself


def test_every_message_formats_with_its_own_placeholders() -> None:
    for lang in ("zh", "en"):
        for key, text in catalogue(lang).items():
            names = _fields(text)
            assert not names & RESERVED, (lang, key)
            text.format("x", **dict.fromkeys(names, "x"))  # raises on a malformed placeholder


def test_unsupported_language_is_named_in_the_refusal() -> None:
    from typer.testing import CliRunner

    from toolkit.cli import app

    result = CliRunner().invoke(app, ["forms", "--lang", "fr"])
    assert result.exit_code == 2
    assert "fr" in result.output and "{" not in result.output
