"""Without a roster, the units are those the returns name: one unit however it is
written (兰江街道 / 兰江街道办事处, 市民政局 / 余姚市民政局), by the rules a return is
matched to a roster with; a return that names none is its file's or its sender's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from toolkit.check.result import FileResult
from toolkit.inbox.match import Match, Matcher, comparable, core, names_a_body, stem_of
from toolkit.roster import RosterEntry, name_key


@dataclass
class Unlisted:
    """Without a roster: the units the returns name, each return's match to one, and the
    fuller names a unit's short one may stand for when it cannot be told which."""

    units: list[RosterEntry]
    matches: list[Match]
    maybe: dict[int, tuple[str, ...]]  # RosterEntry.row -> names it may be one of


def units_from_returns(
    results: list[FileResult], names: list[str], senders: list[str | None] | None = None
) -> Unlisted:
    """Without a roster: one unit per unit the returns give, and each return's match to it.
    A return names its unit inside; one that names none (a file that could not be read) is
    the unit of its mail's sender when the sender's other returns name one, else its
    sender's own, else its file name's (a name with nothing in it matches none).
    Names that a roster's matching takes for one unit are one unit: 兰江街道 and
    兰江街道办事处, 余姚市兰江街道 and either, 市民政局 and 余姚市民政局 when that is the
    only 民政局 among them. A unit is called by a name written inside a return before a
    file name, then by the name most returns give, then the longest; its address is that of
    the first mail that brought one of its returns."""
    senders = senders or [None] * len(results)
    named: list[tuple[str, str, bool]] = []  # (key, name, written inside) of each return
    by_sender: list[int] = []  # the returns that name nothing but came by mail
    for i, (result, name, sender) in enumerate(zip(results, names, senders, strict=True)):
        written = str(result.meta.get("unit") or "").strip()
        if not written and sender:
            by_sender.append(i)
            named.append(("", "", False))  # settled below, once the named units are known
            continue
        unit = written or _unit_of_file(name)
        named.append((name_key(unit), unit, bool(written)))
    position: dict[str, int] = {}  # each distinct name's key, numbered as first met
    spelling: list[str] = []
    for key, unit, _ in named:
        if key and key not in position:
            position[key] = len(spelling)
            spelling.append(unit)
    group, maybe = _same_units(spelling)
    # a sender whose returns name one unit sent that unit's nameless ones too
    named_by: dict[str, set[int]] = {}
    for (key, _, written), sender in zip(named, senders, strict=True):
        if key and written and sender:
            named_by.setdefault(sender, set()).add(group[position[key]])
    placeholders: set[int] = set()
    known = Matcher([RosterEntry(name, None, None, None, i) for i, name in enumerate(spelling)])
    for i in by_sender:
        sender = senders[i] or ""
        # the unit its file name names (a shared address sends several units' files), else
        # the one its sender's returns name, else a unit of its sender's own
        stem = stem_of(names[i])
        # the file's name may name a unit; a unit itself named by a file (附件) is no one's
        by_file = {group[u.row] for u in known.by_name(stem) if names_a_body(u.name)}
        found = by_file if len(by_file) == 1 else named_by.get(sender, set())
        key, shown, placeholder = own_unit(names[i], sender)
        if len(by_file) != 1 and not placeholder:
            found = set()  # it names a unit none of the returns is: that unit's
        if len(found) == 1:
            root = next(iter(found))
            named[i] = (name_key(spelling[root]), spelling[root], False)
            continue
        if key not in position:
            position[key] = len(spelling)
            spelling.append(shown)
            group.append(len(group))
            if placeholder:
                placeholders.add(position[key])
        named[i] = (key, spelling[position[key]], False)
    written_in = [False] * len(spelling)
    count = [0] * len(spelling)
    address: dict[int, str] = {}  # group -> the first sender's address
    for (key, _, written), sender in zip(named, senders, strict=True):
        if key:
            i = position[key]
            written_in[i] = written_in[i] or written
            count[i] += 1
            if sender:
                address.setdefault(group[i], sender)
    members: dict[int, list[int]] = {}
    for i, root in enumerate(group):
        members.setdefault(root, []).append(i)
    units: dict[int, RosterEntry] = {}
    for root, indexes in members.items():
        best = max(indexes, key=lambda i: (written_in[i], count[i], len(spelling[i]), -i))
        units[root] = RosterEntry(
            spelling[best],
            address.get(root),
            None,
            None,
            len(units) + 2,
            # known by its address, or by a file name that names no body (附件, 损坏-1)
            root in placeholders or not (written_in[best] or names_a_body(spelling[best])),
        )
    how = {i: "sender" for i in by_sender}
    matches = [
        Match(how.get(i, "unit" if written else "file"), (units[group[position[key]]],))  # type: ignore[arg-type]
        if key
        else Match("unknown", ())
        for i, (key, _, written) in enumerate(named)
    ]
    ambiguous = {
        units[group[i]].row: tuple(units[j].name for j in fuller) for i, fuller in maybe.items()
    }
    return Unlisted(list(units.values()), matches, ambiguous)


def own_unit(file_name: str, sender: str | None) -> tuple[str, str, bool]:
    """(key, name, placeholder) of the unit a file that names no unit inside is, when no
    unit it could be is known: the body its file name names (市体育局年报.rar), else its
    sender's own (附件（a@x.cn）), known by its address alone."""
    stem = stem_of(file_name)
    if names_a_body(stem):
        return name_key(stem), stem, False
    return f"sender:{sender}", f"{Path(file_name).stem.strip()}（{sender}）", True


def _unit_of_file(name: str) -> str:
    """The unit a file's name gives: without its years and report words when what is left
    names a body (市体育局年报.xlsx: 市体育局), else the name as it is (损坏-1.xlsx)."""
    stem = stem_of(name)
    return stem if names_a_body(stem) else Path(name).stem.strip()


def _same_units(spellings: list[str]) -> tuple[list[int], dict[int, list[int]]]:
    """For each distinct unit name, the index of the first name of the unit it is one with,
    by the rules a return is matched to a roster with: the same core, a core contained
    (not followed by another body), or the one unit a place-less 简称 can name; and for a
    short name that units of several places could be, those units (by first names)."""
    parent = list(range(len(spellings)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        a, b = root(i), root(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    entries = [RosterEntry(name, None, None, None, i) for i, name in enumerate(spellings)]
    matcher = Matcher(entries)
    cores = [core(entry.name) for entry in entries]
    for i, own in enumerate(cores):
        for other in matcher.by_core.get(own, ()):
            join(i, other.row)
    # the fuller names each shorter one may stand for, with the place written before it: it
    # is theirs when they name one place (民政局 beside 余姚市民政局 and 慈溪市民政局 may be
    # either, so it stays its own; 兰江街道 beside 余姚市兰江街道 and 兰江街道年报 is both's)
    fuller: dict[int, list[tuple[int, str]]] = {}
    for i, (entry, own) in enumerate(zip(entries, cores, strict=True)):
        for unit in matcher.by_tail.get(own, ()):
            fuller.setdefault(i, []).append((unit.row, cores[unit.row][: -len(own)]))
        key = comparable(name_key(entry.name))
        inside = matcher.containing(key, frozenset({own}))
        if len({root(u.row) for u in inside}) == 1:  # a name holding two units' is neither's
            for unit in inside:
                place = key[: max(0, key.find(cores[unit.row]))]
                fuller.setdefault(unit.row, []).append((i, place))
    maybe: dict[int, list[int]] = {}
    for short, names in fuller.items():
        if len({place for _, place in names if place}) <= 1:
            for name, _ in names:
                join(short, name)
        else:  # said beside it, for the clerk to settle
            maybe[short] = list(dict.fromkeys(name for name, _ in names))
    groups = [root(i) for i in range(len(spellings))]
    # each fuller name once, by its group's first spelling
    return groups, {
        short: list(dict.fromkeys(groups[name] for name in names)) for short, names in maybe.items()
    }
