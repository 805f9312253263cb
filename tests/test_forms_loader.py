"""Tests for the form spec loader: the built-in forms, their keys, rules and grids, bad specs."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from toolkit.errors import UserError
from toolkit.forms.loader import load_spec
from toolkit.forms.model import FormSpec, Table
from toolkit.forms.registry import load_form
from toolkit.messages import Message
from toolkit.paths import builtin_dir

FORMS = ("gov-2021", "gov-2019", "supp-stats")

APPLICANT_COLUMNS = ("natural", "business", "research", "nonprofit", "legal", "other_org", "total")
RESULT_ROWS = (
    "granted",
    "partial",
    *(f"withheld_{i}" for i in range(1, 9)),
    *(f"unable_{i}" for i in range(1, 4)),
    *(f"refused_{i}" for i in range(1, 6)),
)
REVIEW_GROUPS = ("appeal", "suit_direct", "suit_after")
REVIEW_OUTCOMES = ("upheld", "corrected", "other", "pending", "total")
META = ("unit", "year", "preparer", "phone", "head", "date")
TEXT = ("overview", "problems", "other")


def _grid(table: str, rows: tuple[str, ...], cols: tuple[str, ...]) -> list[str]:
    return [f"{table}.{r}.{c}" for r, c in itertools.product(rows, cols)]


def _applications(other_rows: tuple[str, ...]) -> list[str]:
    rows = ("new", "carried_in", *RESULT_ROWS, *other_rows, "handled_total", "carried_out")
    return _grid("applications", rows, APPLICANT_COLUMNS)


REVIEW = _grid("review", REVIEW_GROUPS, REVIEW_OUTCOMES)
HEADER = [f"meta.{k}" for k in META] + [f"text.{k}" for k in TEXT]

EXPECTED_2021 = [
    *HEADER,
    "fees_info.notices",
    "fees_info.noticed_yuan",
    "fees_info.collected_yuan",
    *_grid("active", ("regs", "normative"), ("issued", "repealed", "in_force")),
    "active.licensing.decisions",
    "active.penalty.decisions",
    "active.coercion.decisions",
    "active.fees.amount",
    *_applications(("other_1", "other_2", "other_3")),
    *REVIEW,
]

EXPECTED_2019 = [
    *HEADER,
    *_grid("active", ("regs", "normative"), ("made", "published", "total_public")),
    *_grid(
        "active",
        ("licensing", "other_services", "penalty", "coercion"),
        ("prev_items", "change", "decisions"),
    ),
    "active.fees.prev_items",
    "active.fees.change",
    "active.procurement.projects",
    "active.procurement.amount",
    *_applications(("other",)),
    *REVIEW,
]

# /work/shared/CHECK-JSON.md "Field keys for supp-stats", in the order given there.
SUPP_KEYS = [
    "supp." + k
    for k in (
        "active.total",
        "active.normative",
        "active.normative_issued",
        "channel.gazette",
        "channel.website",
        "channel.weibo",
        "channel.wechat",
        "channel.other",
        "response.hotspots",
        "response.press_conf",
        "response.press_conf_head",
        "response.interviews",
        "response.interviews_head",
        "response.interpretations",
        "response.weibo_wechat",
        "response.other",
        "org.offices",
        "org.reading_points",
        "org.staff",
        "org.staff_full",
        "org.staff_part",
        "org.budget",
        "meetings.meetings",
        "meetings.trainings",
        "meetings.trainees",
    )
]
EXPECTED_SUPP = [f"meta.{k}" for k in META] + SUPP_KEYS

EXPECTED_KEYS = {"gov-2021": EXPECTED_2021, "gov-2019": EXPECTED_2019, "supp-stats": EXPECTED_SUPP}


@pytest.fixture(scope="module", params=FORMS)
def form(request: pytest.FixtureRequest) -> FormSpec:
    return load_form(request.param)


# ---------------------------------------------------------------- the built-in forms


def test_default_form_is_gov_2021() -> None:
    assert load_form().id == "gov-2021"


@pytest.mark.parametrize("form_id", FORMS)
def test_builtin_form_loads(form_id: str) -> None:
    spec = load_form(form_id)
    assert spec.id == form_id
    assert spec.version and spec.name
    assert spec.sheets[0] == "封面"
    assert {t.sheet for t in spec.tables} <= set(spec.sheets)
    # tables are in sheet order
    order = [spec.sheets.index(t.sheet) for t in spec.tables]
    assert order == sorted(order)


@pytest.mark.parametrize("form_id", FORMS)
def test_field_keys_are_exactly_the_stable_keys(form_id: str) -> None:
    spec = load_form(form_id)
    expected = EXPECTED_KEYS[form_id]
    assert len(expected) == len(set(expected))
    assert set(spec.fields) == set(expected), (
        f"missing {sorted(set(expected) - set(spec.fields))}, "
        f"extra {sorted(set(spec.fields) - set(expected))}"
    )


def test_supp_keys_in_row_order() -> None:
    spec = load_form("supp-stats")
    assert [k for k in spec.fields if k.startswith("supp.")] == SUPP_KEYS
    assert [f.key for f in spec.table("supp").fields] == SUPP_KEYS


def test_applications_rows_and_columns_in_official_order() -> None:
    spec = load_form("gov-2021")
    table = spec.table("applications")
    assert table.column_keys == APPLICANT_COLUMNS
    assert table.row_keys == (
        "new",
        "carried_in",
        *RESULT_ROWS,
        "other_1",
        "other_2",
        "other_3",
        "handled_total",
        "carried_out",
    )
    assert spec.sets["applications.rows"] == table.row_keys
    assert spec.sets["applications.columns"] == APPLICANT_COLUMNS


def _expected_kind(form_id: str, key: str) -> str:
    if key in ("meta.unit", "meta.preparer", "meta.head"):
        return "text"
    special = {"meta.year": "year", "meta.phone": "phone", "meta.date": "date"}
    if key in special:
        return special[key]
    if key.startswith("text."):
        return "longtext"
    if key.endswith(".change"):
        return "change"
    if key in (
        "active.fees.amount",
        "active.procurement.amount",
        "supp.org.budget",
        "fees_info.noticed_yuan",
        "fees_info.collected_yuan",
    ):
        return "money"
    return "count"


def test_field_kinds(form: FormSpec) -> None:
    wrong = {
        key: fld.kind
        for key, fld in form.fields.items()
        if fld.kind != _expected_kind(form.id, key)
    }
    assert not wrong
    money = {k for k, f in form.fields.items() if f.kind == "money"}
    assert (
        money
        == {
            "gov-2021": {
                "active.fees.amount",
                "fees_info.noticed_yuan",
                "fees_info.collected_yuan",
            },
            "gov-2019": {"active.procurement.amount"},
            "supp-stats": {"supp.org.budget"},
        }[form.id]
    )
    if form.id == "gov-2019":
        changes = {k for k, f in form.fields.items() if f.kind == "change"}
        assert changes == {
            f"active.{r}.change"
            for r in ("licensing", "other_services", "penalty", "coercion", "fees")
        }


def test_money_units(form: FormSpec) -> None:
    for key, fld in form.fields.items():
        if key.startswith("active.") and fld.kind == "money":
            assert fld.unit == "万元"
        if key.startswith("fees_info.") and fld.kind == "money":
            assert fld.unit == "元"


def test_unit_and_year_are_required_by_rule_m1(form: FormSpec) -> None:
    assert {r.at for r in form.rules if r.id == "M1"} == {"meta.unit", "meta.year"}


def test_computed_fields_are_exactly_the_totals(form: FormSpec) -> None:
    computed = {k for k, f in form.fields.items() if f.computed}
    if form.id == "supp-stats":
        expected = {"supp.org.staff"}
    else:
        expected = {
            k
            for k in form.fields
            if (k.startswith(("applications.", "review.")) and k.endswith(".total"))
            or k.startswith("applications.handled_total.")
        }
        assert "applications.handled_total.total" in expected
        assert len(expected) == (34 if form.id == "gov-2021" else 32)
    assert computed == expected
    assert {t.total for t in form.totals} == expected
    # the table copies of the fields agree with the spec's dictionary
    for table in form.tables:
        for fld in table.fields:
            assert fld == form.fields[fld.key]


RULE_IDS = {
    "gov-2021": {
        "A1": "error",
        "A2": "error",
        "A3": "error",
        "R1": "error",
        "N1": "error",
        "M1": "error",
        "M2": "error",
        "W1": "warning",
        "W2": "warning",
        "W3": "warning",
        "W4": "warning",
        "W6": "warning",
        "W7": "warning",
        "Y1": "warning",
        "Y2": "warning",
    },
    "gov-2019": {
        "A1": "error",
        "A2": "error",
        "A3": "error",
        "R1": "error",
        "N1": "error",
        "P1": "error",
        "M1": "error",
        "M2": "error",
        "W2": "warning",
        "W3": "warning",
        "W6": "warning",
        "W7": "warning",
        "Y1": "warning",
        "Y3": "warning",
    },
}


@pytest.mark.parametrize("form_id", ["gov-2021", "gov-2019"])
def test_rule_ids_and_severities(form_id: str) -> None:
    spec = load_form(form_id)
    expected = RULE_IDS[form_id]
    severities: dict[str, set[str]] = {}
    for rule in spec.rules:
        severities.setdefault(rule.id, set()).add(rule.severity)
    assert set(severities) == set(expected)
    for rule_id, severity in expected.items():
        assert severities[rule_id] == {severity}, rule_id


def test_rules_in_template(form: FormSpec) -> None:
    for rule in form.rules:
        if rule.id.startswith("Y") or rule.id in ("W2", "W6"):
            assert rule.in_template is False, rule.instance
        else:
            assert rule.in_template is True, rule.instance
        assert rule.uses_last_year == rule.id.startswith("Y")


def test_rule_instances_unique(form: FormSpec) -> None:
    names = [r.instance for r in form.rules]
    assert all(names)
    assert len(names) == len(set(names))


def test_rule_fields_exist_and_messages_render(form: FormSpec) -> None:
    for rule in form.rules:
        assert rule.at in form.fields
        for key in rule.fields:
            assert key.removeprefix("last.") in form.fields
        for lang in ("zh", "en"):
            text = form.rule_text(rule.message, lang)
            assert text and not text.startswith("rule."), (rule.message, lang)


def test_rule_instance_counts_gov_2021() -> None:
    spec = load_form("gov-2021")
    count: dict[str, int] = {}
    for rule in spec.rules:
        count[rule.id] = count.get(rule.id, 0) + 1
    assert count["A1"] == 7  # one per column
    assert count["A2"] == 7
    assert count["A3"] == 25  # one per row
    assert count["R1"] == 3
    # one W6 per total cell; （七）总计 of the 总计 column is a row and a column total
    assert count["W6"] == 7 + 25 + 3 - 1
    assert count["Y1"] == 7
    assert count["M1"] == 3  # the unit; the year given; the year not in the future
    numeric = sum(1 for f in spec.fields.values() if f.kind in ("count", "money", "change"))
    assert count["N1"] == numeric


def test_totals_parts() -> None:
    spec = load_form("gov-2021")
    handled = spec.total_of("applications.handled_total.natural")
    assert handled is not None and handled.rule == "A2"
    assert handled.parts == tuple(
        f"applications.{r}.natural" for r in (*RESULT_ROWS, "other_1", "other_2", "other_3")
    )
    # the first declaration wins: the total of totals is a row total (A3)
    grand = spec.total_of("applications.handled_total.total")
    assert grand is not None and grand.rule == "A3"
    assert grand.when is not None
    appeal = spec.total_of("review.appeal.total")
    assert appeal is not None and appeal.rule == "R1"
    assert appeal.parts == tuple(f"review.appeal.{o}" for o in REVIEW_OUTCOMES[:-1])
    staff = load_form("supp-stats").total_of("supp.org.staff")
    assert staff is not None
    assert staff.parts == ("supp.org.staff_full", "supp.org.staff_part")


# ---------------------------------------------------------------- grid geometry


def _label(table: Table, text: str):
    found = [cell for cell in table.labels if cell.text == text]
    assert len(found) == 1, text
    return found[0]


@pytest.mark.parametrize(("form_id", "rows"), [("gov-2021", 22), ("gov-2019", 20)])
def test_application_label_spans(form_id: str, rows: int) -> None:
    table = load_form(form_id).table("applications")
    handled = _label(table, "三、本年度办理结果")
    assert (handled.rows, handled.cols, handled.col) == (rows, 1, 0)
    withheld = _label(table, "（三）不予公开")
    assert (withheld.rows, withheld.cols, withheld.col) == (8, 1, 1)
    assert (_label(table, "（四）无法提供").rows, _label(table, "（五）不予处理").rows) == (3, 5)
    assert table.width == 10
    assert table.header_rows == 3
    assert table.height == 3 + len(table.row_keys)
    # the result rows span exactly from （一） to （七）
    granted = table.fields[[f.key for f in table.fields].index("applications.granted.natural")]
    total = table.fields[[f.key for f in table.fields].index("applications.handled_total.natural")]
    assert handled.row == granted.row
    assert handled.row + handled.rows - 1 == total.row
    assert granted.col == 3


def test_field_labels_from_grid() -> None:
    spec = load_form("gov-2021")
    fld = spec.fields["applications.withheld_3.business"]
    assert fld.row_labels == ("三、本年度办理结果", "（三）不予公开", "3.危及“三安全一稳定”")
    assert fld.col_labels == ("申请人情况", "法人或其他组织", "商业企业")
    fees = spec.fields["active.fees.amount"]
    assert fees.cols == 3
    assert fees.col_labels[-1] == "本年收费金额（单位：万元）"


def _coverage(table: Table) -> dict[tuple[int, int], list[str]]:
    cover: dict[tuple[int, int], list[str]] = {}
    for cell in table.labels:
        for r in range(cell.row, cell.row + cell.rows):
            for c in range(cell.col, cell.col + cell.cols):
                cover.setdefault((r, c), []).append(f"label {cell.text}")
    for fld in table.fields:
        for c in range(fld.col, fld.col + fld.cols):
            cover.setdefault((fld.row, c), []).append(f"field {fld.key}")
    return cover


def test_grids_fully_covered(form: FormSpec) -> None:
    for table in form.tables:
        cover = _coverage(table)
        outside = [p for p in cover if not (0 <= p[0] < table.height and 0 <= p[1] < table.width)]
        assert not outside, (table.key, outside)
        twice = {p: who for p, who in cover.items() if len(who) > 1}
        assert not twice, (table.key, twice)
        field_rows = {f.row for f in table.fields}
        for row in range(table.height):
            free = [c for c in range(table.width) if (row, c) not in cover]
            if not free:
                continue
            # only a heading row (labels, no fields) may end in one blank locked cell
            assert row not in field_rows, (table.key, row, free)
            assert free == list(range(free[0], table.width)), (table.key, row, free)
            assert free[0] > 0, (table.key, row)


def test_heading_rows_of_supp_stats() -> None:
    table = load_form("supp-stats").table("supp")
    assert (table.width, table.height, table.header_rows) == (3, 32, 1)
    cover = _coverage(table)
    blank_rows = [r for r in range(table.height) if (r, 2) not in cover]
    headings = [
        c.text for c in table.labels if c.row in blank_rows and c.col == 0 and c.role == "row"
    ]
    assert headings == [
        "一、主动公开情况",
        "（二）通过不同渠道和方式公开政府信息的情况",
        "二、回应解读情况",
        "（二）通过不同渠道和方式回应解读的情况",
        "八、机构建设和保障经费情况",
        "九、政府信息公开会议和培训情况",
    ]


def test_fields_layout_tables() -> None:
    spec = load_form("gov-2021")
    meta = spec.table("meta")
    assert (meta.layout, meta.width, meta.height) == ("fields", 2, 6)
    assert [(f.row, f.col) for f in meta.fields] == [(i, 1) for i in range(6)]
    assert [c.text for c in meta.labels] == [f.label for f in meta.fields]
    assert "单位名称" in spec.fields["meta.unit"].variants


def test_header_roles() -> None:
    table = load_form("gov-2021").table("active")
    titles = [c.text for c in table.labels if c.role == "title"]
    assert titles == [
        "第二十条第（一）项",
        "第二十条第（五）项",
        "第二十条第（六）项",
        "第二十条第（八）项",
    ]
    assert table.blocks == 4


# ---------------------------------------------------------------- bad specs

BASE = """\
id = "local-test"
version = "1"
name = "测试表"
include = ["_header.toml"]
sheets = ["封面", "数据"]

[sets]
body = ["x", "y"]
cols = ["a", "b"]

[[tables]]
key = "t"
sheet = "数据"
title = "测试表"
label_widths = [10]

  [[tables.blocks]]
  header = [["项目", "甲", "乙", "合计"]]
  columns = [{ key = "a" }, { key = "b" }, { key = "total" }]
  rows = [
    { key = "x", labels = ["第一行"] },
    { key = "y", labels = ["第二行"] },
  ]

[[totals]]
rule = "T2"
for_each = { row = "body" }
total = "t.{row}.total"
parts = ["t.{row}.{cols}"]

[[rules]]
id = "T1"
severity = "warning"
assert = "t.x.a >= t.y.a"
at = "t.x.a"

[messages.zh]
T1 = "甲列第一行不应小于第二行"
T2 = "合计 = 甲 + 乙"

[messages.en]
T1 = "Row 1 of column A must not be less than row 2"
T2 = "Total = A + B"
"""


def _write(tmp_path: Path, text: str, name: str = "local-test.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _replace(old: str, new: str) -> Callable[[str], str]:
    def mutate(text: str) -> str:
        assert text.count(old) == 1, old
        return text.replace(old, new)

    return mutate


def test_base_spec_is_valid(tmp_path: Path) -> None:
    spec = load_spec(_write(tmp_path, BASE))
    assert spec.id == "local-test"
    assert [t.key for t in spec.tables] == ["meta", "t"]
    assert "t.x.total" in spec.fields and spec.fields["t.x.total"].computed
    assert {r.id for r in spec.rules} == {"M1", "T1", "T2", "W6"}
    assert spec.rule_text("T1", "en").startswith("Row 1")
    assert load_form(spec_file=tmp_path / "local-test.toml").id == "local-test"


def test_local_form_found_through_forms_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, BASE)
    monkeypatch.setenv("TOOLKIT_FORMS_PATH", str(tmp_path))
    assert load_form("local-test").id == "local-test"


def test_local_include_beside_the_spec_wins(tmp_path: Path) -> None:
    _write(
        tmp_path,
        '[sets]\nextra = ["x"]\n\n[messages.zh]\nT9 = "本地片段"\n',
        name="_header.toml",
    )
    spec = load_spec(_write(tmp_path, BASE))
    # the local fragment replaced the built-in _header.toml: no meta table
    assert [t.key for t in spec.tables] == ["t"]
    assert spec.sets["extra"] == ("x",)


BAD_SPECS: list[tuple[str, Callable[[str], str], str, str]] = [
    # (case, mutation, where, a fragment of the rendered zh problem)
    (
        "toml_syntax",
        _replace('name = "测试表"\n', 'name = "测试表\n'),
        "第 3 行",
        "TOML",
    ),
    ("unknown_top_key", _replace('version = "1"', 'verison = "1"'), "verison", "verison"),
    ("missing_id", _replace('id = "local-test"\n', ""), "id", "id"),
    (
        "bad_kind",
        _replace('{ key = "b" }', '{ key = "b", kind = "integer" }'),
        "tables[0].blocks[0].columns[1].kind",
        "integer",
    ),
    (
        "row_one_cell_short",
        _replace('{ key = "y", labels = ["第二行"] }', '{ key = "y", labels = [] }'),
        "tables[0].blocks[0].rows[1]",
        "4 列",
    ),
    (
        "row_one_cell_over",
        _replace('labels = ["第二行"]', 'labels = ["第二行", "多余"]'),
        "tables[0].blocks[0].rows[1]",
        "4 列",
    ),
    (
        "header_one_cell_short",
        _replace(
            'header = [["项目", "甲", "乙", "合计"]]',
            'header = [["项目", "甲", "乙", "合计"], ["说明", "甲", "乙"]]',
        ),
        "tables[0].blocks[0].header[1]",
        "4 列",
    ),
    (
        "overlapping_rowspan",
        _replace(
            'header = [["项目", "甲", "乙", "合计"]]',
            'header = [["项目", { text = "甲", rows = 2 }, "乙", "合计"],'
            ' [{ text = "说明", cols = 2 }, "乙", "合计"]]',
        ),
        "tables[0].blocks[0].header[1][0]",
        "重叠",
    ),
    (
        "rowspan_past_block",
        _replace('labels = ["第二行"]', 'labels = [{ text = "第二行", rows = 2 }]'),
        "tables[0].blocks[0]",
        "超出",
    ),
    (
        "unknown_set_in_for_each",
        _replace('for_each = { row = "body" }', 'for_each = { row = "bodies" }'),
        "totals[0].for_each.row",
        "bodies",
    ),
    (
        "unknown_field_in_assert",
        _replace('assert = "t.x.a >= t.y.a"', 'assert = "t.x.a >= t.z.a"'),
        "rules[0].assert",
        "t.z.a",
    ),
    (
        "pattern_matching_nothing",
        _replace('assert = "t.x.a >= t.y.a"', 'assert = "any_filled(t.*.zzz)"'),
        "rules[0].assert",
        "t.*.zzz",
    ),
    (
        "chained_comparison",
        _replace('assert = "t.x.a >= t.y.a"', 'assert = "0 <= t.x.a <= t.y.a"'),
        "rules[0].assert",
        "and",
    ),
    (
        "arithmetic_on_text",
        _replace('assert = "t.x.a >= t.y.a"', 'assert = "meta.unit + 1 >= 0"'),
        "rules[0].assert",
        "meta.unit",
    ),
    (
        "message_nowhere",
        _replace('severity = "warning"\n', 'severity = "warning"\nmessage = "NO_SUCH_TEXT"\n'),
        "rules[0].message",
        "NO_SUCH_TEXT",
    ),
    (
        "total_rule_without_message",
        _replace('rule = "T2"', 'rule = "T7"'),
        "totals[0].rule",
        "T7",
    ),
    (
        "include_missing",
        _replace('include = ["_header.toml"]', 'include = ["_header.toml", "_nope.toml"]'),
        "include",
        "_nope.toml",
    ),
    (
        "sheet_not_in_sheets",
        _replace('sheet = "数据"', 'sheet = "数据表"'),
        "tables[0].sheet",
        "数据表",
    ),
    (
        "duplicate_field_keys",
        _replace('{ key = "y", labels = ["第二行"] }', '{ key = "x", labels = ["第二行"] }'),
        "tables[0].blocks[0].rows[1]",
        "t.x.a",
    ),
    (
        "duplicate_table_key",
        _replace('key = "t"', 'key = "meta"'),
        "tables[0].key",
        "meta",
    ),
    (
        "bad_severity",
        _replace('severity = "warning"', 'severity = "fatal"'),
        "rules[0].severity",
        "fatal",
    ),
    (
        "unknown_rule_key",
        _replace('at = "t.x.a"', 'at = "t.x.a"\nlevel = 1'),
        "rules[0].level",
        "level",
    ),
    (
        "assert_not_a_condition",
        _replace('assert = "t.x.a >= t.y.a"', 'assert = "t.x.a + t.y.a"'),
        "rules[0].assert",
        "t.x.a",
    ),
    (
        "alternate_of_other_fields",
        _replace(
            '    { key = "y", labels = ["第二行"] },\n  ]\n',
            '    { key = "y", labels = ["第二行"] },\n  ]\n\n'
            "  [[tables.alternates]]\n"
            "    [[tables.alternates.blocks]]\n"
            '    header = [["项目", "甲"]]\n'
            '    columns = [{ key = "a" }]\n'
            '    rows = [{ key = "z", labels = ["第三行"] }]\n',
        ),
        "tables[0].alternates[0]",
        "t.z.a",
    ),
    (
        "alternates_of_a_field_list",
        _replace(
            '[[tables]]\nkey = "t"',
            '[[tables]]\nkey = "f"\nsheet = "数据"\ntitle = "字段"\nlayout = "fields"\n'
            'fields = [{ key = "a", label = "甲" }]\nalternates = []\n\n[[tables]]\nkey = "t"',
        ),
        "tables[0].alternates",
        "alternates",
    ),
    (
        "at_unknown_field",
        _replace('at = "t.x.a"', 'at = "t.q.a"'),
        "rules[0].at",
        "t.q.a",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "where", "problem"),
    [pytest.param(m, w, p, id=case) for case, m, w, p in BAD_SPECS],
)
def test_bad_spec(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mutate: Callable[[str], str],
    where: str,
    problem: str,
) -> None:
    monkeypatch.delenv("TOOLKIT_LANG", raising=False)
    path = _write(tmp_path, mutate(BASE))
    with pytest.raises(UserError) as info:
        load_spec(path)
    exc = info.value
    assert exc.message_id == "spec.invalid"
    assert exc.params["file"] == str(path)
    where_param = exc.params["where"]
    assert _text(where_param, "zh") == where
    problem_message = exc.params["problem"]
    assert isinstance(problem_message, Message)  # rendered late, in the reader's language
    rendered_problem = problem_message.render("zh")
    assert rendered_problem and not rendered_problem.startswith("spec.problem.")
    assert "{" not in rendered_problem, rendered_problem
    assert problem in rendered_problem
    for lang in ("zh", "en"):
        text = exc.render(lang)
        assert path.name in text, (lang, text)
        assert _text(where_param, lang) in text, (lang, text)
        assert problem_message.render(lang) in text
    if problem_message.render("en") != rendered_problem:
        assert rendered_problem not in exc.render("en")  # no Chinese in the English message


def _text(value: object, lang: str) -> str:
    return value.render(lang) if isinstance(value, Message) else str(value)


def test_bad_spec_english_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOOLKIT_LANG", "en")
    path = _write(tmp_path, BASE.replace('{ key = "b" }', '{ key = "b", kind = "integer" }'))
    with pytest.raises(UserError) as info:
        load_spec(path)
    text = info.value.render()
    assert text.startswith("Form spec file is invalid")
    assert "integer" in text and "tables[0].blocks[0].columns[1].kind" in text


def test_error_in_included_fragment_names_the_fragment(tmp_path: Path) -> None:
    fragment = _write(
        tmp_path,
        '[[rules]]\nid = "T1"\nassert = "t.x.a > 1 > 0"\nat = "t.x.a"\n',
        name="_local_rules.toml",
    )
    spec_text = BASE.replace(
        'include = ["_header.toml"]', 'include = ["_header.toml", "_local_rules.toml"]'
    )
    with pytest.raises(UserError) as info:
        load_spec(_write(tmp_path, spec_text))
    exc = info.value
    assert exc.params["file"] == str(fragment)
    assert exc.params["where"] == "rules[0].assert"


def test_duplicate_in_included_fragment_names_the_fragment(tmp_path: Path) -> None:
    fragment = _write(
        tmp_path,
        '[[tables]]\nkey = "extra"\nsheet = "封面"\ntitle = "附加"\nlayout = "fields"\n'
        '[[tables.fields]]\nkey = "k"\nlabel = "甲"\n'
        '[[tables.fields]]\nkey = "k"\nlabel = "乙"\n',
        name="_extra.toml",
    )
    spec_text = BASE.replace('include = ["_header.toml"]', 'include = ["_extra.toml"]')
    with pytest.raises(UserError) as info:
        load_spec(_write(tmp_path, spec_text))
    exc = info.value
    assert exc.params["file"] == str(fragment)
    assert exc.params["where"] == "tables[0].fields[1].key"
    assert "extra.k" in exc.params["problem"].render("zh")


def test_spec_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(UserError) as info:
        load_spec(tmp_path / "nope.toml")
    assert info.value.message_id == "spec.not_found"
    assert "nope.toml" in info.value.render("en")


def test_unknown_form_id() -> None:
    with pytest.raises(UserError) as info:
        load_form("gov-1999")
    assert info.value.message_id == "spec.unknown_form"
    for lang in ("zh", "en"):
        text = info.value.render(lang)
        assert "gov-1999" in text and "gov-2021" in text


def test_charts_are_declared_in_the_spec_and_checked(tmp_path: Path) -> None:
    spec = load_form("gov-2021")
    pie = next(c for c in spec.charts if c.type == "pie")
    assert [s.label for s in pie.series][:3] == ["予以公开", "部分公开", "不予公开"]
    assert len(pie.series[2].fields) == 8  # withheld_1 … withheld_8, from a pattern
    base = Path(__file__).resolve().parent.parent / "workbook_templates" / "supp-stats.toml"
    base = base.read_text(encoding="utf-8")
    for chart, problem in (
        ('[[charts]]\ntitle = "x"\ntype = "radar"\nseries = []\n', "radar"),
        (
            '[[charts]]\ntitle = "x"\nseries = [{ label = "a", fields = ["supp.nope"] }]\n',
            "supp.nope",
        ),
    ):
        path = tmp_path / "local.toml"
        path.write_text(base.replace('id = "supp-stats"', 'id = "local"') + chart, encoding="utf-8")
        with pytest.raises(UserError) as caught:
            load_spec(path)
        assert problem in caught.value.render() and "charts[0]" in caught.value.render()


@pytest.mark.parametrize(
    ("form", "good", "bad", "where"),
    [
        ("gov-2019", "{unit}{year}年度", "{unit}{year}{oops}年度", "report.title"),
        ("gov-2019", 'text = "text.overview"', 'text = "text.nowhere"', "report.sections[0].text"),
        ("gov-2021", '"发出收费通知{fees_info.notices}件"', '"发出收费通知件"', "clauses[0]"),
        ("gov-2021", "(?:件|份)", "(件|份)", "reads[0]"),
    ],
)
def test_a_report_outline_is_checked_like_the_rest_of_the_spec(
    tmp_path: Path, form: str, good: str, bad: str, where: str
) -> None:
    """[report]: the title's placeholders, a section's field, a statement's clauses and its
    reading patterns are refused precisely when wrong."""
    text = (builtin_dir() / f"{form}.toml").read_text("utf-8")
    assert good in text
    path = tmp_path / f"{form}.toml"
    path.write_text(text.replace(good, bad, 1), "utf-8")
    with pytest.raises(UserError) as caught:
        load_spec(path)
    assert where in caught.value.render()


@pytest.mark.parametrize("form_id", ["gov-2021", "gov-2019"])
def test_review_table_read_as_three_rows_too(form_id: str) -> None:
    """复议诉讼 has a second layout to read (three rows under the outcomes), of exactly its
    own fields; the template is written from the table's own layout only."""
    review = load_form(form_id).table("review")
    (rows,) = review.alternates
    assert {f.key for f in rows.fields} == {f.key for f in review.fields}
    assert [lb.text for lb in rows.labels if lb.role == "row"] == [
        "行政复议",
        "行政诉讼",
        "未经复议直接起诉",
        "复议后起诉",
    ]
