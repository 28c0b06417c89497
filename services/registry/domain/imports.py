"""Importing a district office's village table: headers in Chinese or English, every bad row
reported with its row number and reason. Pure: it takes rows, the IO is the adapter's."""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from pydantic import TypeAdapter, ValidationError

from services.registry.domain.commands import RegisterVillage

REQUIRED = ("code", "name", "district", "town", "village_type", "income_2018", "income_2019", "income_2020")
HEADER_ALIASES = {
    "code": ("村代码", "行政村代码", "村庄代码", "统计用区划代码", "区划代码", "代码", "code", "village_code", "villagecode"),
    "name": ("村名", "村名称", "行政村", "行政村名称", "村庄名称", "name", "village_name", "villagename"),
    "district": ("区", "所属区", "区名", "涉农区", "district"),
    "town": ("镇/街", "镇街", "镇/街道", "乡镇/街道", "乡镇(街道)", "镇(街)", "镇", "街道", "乡镇", "town", "township"),
    "village_type": ("村类型", "类型", "村庄类型", "village_type", "villagetype", "type"),
    "needs": ("扶持需求", "需求", "needs"),
}
_ALIAS = {alias.lower(): key for key, aliases in HEADER_ALIASES.items() for alias in aliases}
_INCOME = re.compile(r"(2018|2019|2020)")
_TABLE = TypeAdapter(list[RegisterVillage])


def normalise_header(text: object) -> str | None:
    """The field a column header names, or None for a column the import ignores."""
    if text is None:
        return None
    clean = str(text).strip().replace("（", "(").replace("）", ")").replace(" ", "").replace("\u3000", "")
    if (key := _ALIAS.get(clean.lower())) is not None:
        return key
    year = _INCOME.search(clean)
    if year and ("收入" in clean or "income" in clean.lower() or clean == year.group(1)):
        return f"income_{year.group(1)}"
    return None


@dataclass(frozen=True)
class BadRow:
    row: int  # spreadsheet row number: the header is row 1
    code: str | None
    field: str | None
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "code": self.code, "field": self.field, "reason": self.reason}


@dataclass
class ParsedTable:
    good: list[tuple[int, RegisterVillage]]
    bad: list[BadRow]
    rows: int


@dataclass
class RawTable:
    """A table's non-blank rows as text, numbered, not yet validated: an import validates
    them a chunk at a time, while the previous chunk is being stored."""

    numbers: list[int]
    found: list[dict[str, str]]

    @property
    def rows(self) -> int:
        return len(self.found)

    def codes(self) -> list[str]:
        return [code for data in self.found if (code := data.get("code"))]

    def chunks(self, size: int) -> Iterator[tuple[list[int], list[dict[str, str]]]]:
        for start in range(0, len(self.found), size):
            yield self.numbers[start:start + size], self.found[start:start + size]


class HeaderError(ValueError):
    pass


def map_headers(headers: Sequence[object]) -> dict[int, str]:
    columns: dict[int, str] = {}
    for i, header in enumerate(headers):
        key = normalise_header(header)
        if key is not None and key not in columns.values():
            columns[i] = key
    missing = [k for k in REQUIRED if k not in columns.values()]
    if missing:
        raise HeaderError(
            f"缺少列 / missing columns: {', '.join(missing)}；可用表头如 村代码、村名、区、镇/街、村类型、"
            f"2018年村集体经营性收入(元) / e.g. code, name, district, town, village_type, income_2018"
        )
    return columns


def _reason(error: dict) -> tuple[str | None, str]:
    loc = [str(part) for part in error.get("loc", ())]
    # The only check across fields is the code's district prefix.
    return (loc[0] if loc else "code"), error["msg"].removeprefix("Value error, ")


def read_rows(headers: Sequence[object], rows: Iterable[tuple[int, Sequence[str | None]]]) -> RawTable:
    """``rows`` are (row number, cells as text). Blank rows are skipped."""
    columns = list(map_headers(headers).items())
    table = RawTable([], [])
    for number, cells in rows:
        width = len(cells)
        data = {key: text for i, key in columns if i < width and (text := (cells[i] or "").strip())}
        if data:  # a blank row is no row
            table.numbers.append(number)
            table.found.append(data)
    return table


class RowChecker:
    """Validates rows, a chunk at a time, in table order; a code seen twice is bad."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def check(self, numbers: Sequence[int], found: Sequence[dict[str, str]]) -> ParsedTable:
        try:
            commands: list[RegisterVillage] | None = _TABLE.validate_python(found)  # the chunk in one call
        except ValidationError:
            commands = None  # some row is bad: validate row by row, for each row's own errors
        good: list[tuple[int, RegisterVillage]] = []
        bad: list[BadRow] = []
        seen = self.seen
        for index, (number, data) in enumerate(zip(numbers, found, strict=True)):
            if commands is not None:
                cmd = commands[index]
            else:
                try:
                    cmd = RegisterVillage.model_validate(data)
                except ValidationError as exc:
                    for error in exc.errors(include_url=False):
                        field_name, reason = _reason(error)
                        bad.append(BadRow(number, data.get("code"), field_name, reason))
                    continue
            if cmd.code in seen:
                bad.append(BadRow(number, cmd.code, "code", f"村代码与第 {seen[cmd.code]} 行重复 / code repeats row {seen[cmd.code]}"))
                continue
            seen[cmd.code] = number
            good.append((number, cmd))
        return ParsedTable(good, bad, len(found))


@dataclass(frozen=True)
class Verdict:
    """One chunk of rows judged: the good ones as commands, the bad ones with their reasons."""

    good: list[RegisterVillage]
    bad: list[BadRow]


def judge(table: RawTable, size: int, refusal: Callable[[str], str | None],
          registered: Container[str] = frozenset()) -> Iterator[Verdict]:
    """Every row's verdict, ``size`` rows at a time in table order, so that an import can store
    one chunk's good rows while the next is judged. A row is bad for its fields, for a code
    seen twice, for a district ``refusal`` gives a reason against, or for a code in ``registered``."""
    checker = RowChecker()
    refusals: dict[str, str | None] = {}  # per district: thousands of rows, a handful of districts
    for numbers, found in table.chunks(size):
        checked = checker.check(numbers, found)
        good, bad = [], checked.bad
        for number, cmd in checked.good:
            if cmd.district not in refusals:
                refusals[cmd.district] = refusal(cmd.district)
            if (reason := refusals[cmd.district]) is not None:
                bad.append(BadRow(number, cmd.code, "district", reason))
            elif cmd.code in registered:
                bad.append(BadRow(number, cmd.code, "code", f"村代码 {cmd.code} 已登记 / code {cmd.code} is already registered"))
            else:
                good.append(cmd)
        yield Verdict(good, bad)


@dataclass
class Tally:
    """The verdicts so far: how many rows are good, and every bad one."""

    good: int = 0
    bad: list[BadRow] = field(default_factory=list)

    @classmethod
    def of(cls, verdicts: Iterable[Verdict]) -> Tally:
        tally = cls()
        for verdict in verdicts:
            tally.add(verdict)
        return tally

    def add(self, verdict: Verdict) -> None:
        self.good += len(verdict.good)
        self.bad.extend(verdict.bad)

    def storable(self, partial: bool) -> bool:
        """Whether the good rows are stored: there are some, and (unless partial) no bad row."""
        return self.good > 0 and (partial or not self.bad)

    def bad_rows(self) -> list[dict]:
        return [b.as_dict() for b in sorted(self.bad, key=lambda b: (b.row, b.field or ""))]


def parse_rows(headers: Sequence[object], rows: Iterable[tuple[int, Sequence[str | None]]]) -> ParsedTable:
    """Read and validate a whole table at once (the CLI's local check)."""
    table = read_rows(headers, rows)
    return RowChecker().check(table.numbers, table.found)
