"""The catalogue: every message in both languages, with the same placeholders."""

from __future__ import annotations

import string

import pytest

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


def test_an_unknown_language_in_the_environment_is_said_and_chinese_shown(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """TOOLKIT_LANG=fr fell back to Chinese without a word; --lang still overrides it."""
    from toolkit.cli import main

    monkeypatch.setenv("TOOLKIT_LANG", "fr")
    with pytest.raises(SystemExit) as done:
        main(["forms"])
    said = capsys.readouterr()
    assert done.value.code == 0
    assert "TOOLKIT_LANG" in said.err and "“fr”" in said.err
    assert "可用的表格格式" in said.out
    with pytest.raises(SystemExit) as done:
        main(["forms", "--lang", "en"])
    said = capsys.readouterr()
    assert done.value.code == 0 and "TOOLKIT_LANG" not in said.err + said.out


@pytest.mark.parametrize(
    ("form", "rule_id", "named"),
    [
        ("gov-2021", "A2", "（七）总计应为"),  # a column's total, below its parts
        ("gov-2021", "A3", "总计应为"),  # a row's total, beside its parts
        ("supp-stats", "S2", "（三）从事政府信息公开工作人员数应为"),
    ],
)
def test_a_wrong_total_is_named_apart_from_its_parts(form: str, rule_id: str, named: str) -> None:
    """ "自然人应为 63" (A2) or "统计数应为" (S2) named the column every part shares."""
    from toolkit.check.explain import Explainer
    from toolkit.forms.registry import load_form

    spec = load_form(form)
    rule = next(r for r in spec.rules if r.id == rule_id)
    said = Explainer(spec).explain(rule, lambda key: 3.0, lambda key: 5.0)
    assert said is not None and said.startswith(named), said
