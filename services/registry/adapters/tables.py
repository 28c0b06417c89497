"""Reading a district office's table — CSV (UTF-8 or GB18030, as Excel saves it) or XLSX —
into a header row and numbered rows of text cells, within ``TableLimits``.

An XLSX is a zip: 150 KB can expand to a million rows. Its parts' declared sizes are checked
before anything is parsed, then rows, columns and cells are counted as they stream (openpyxl
read-only), so a hostile file is refused within a second with bounded memory. The route
reads the table in a worker thread: parsing never holds the event loop.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook

Rows = Iterator[tuple[int, list[str | None]]]


class UnreadableTable(ValueError):
    pass


@dataclass(frozen=True)
class TableLimits:
    """Caps on what a table may hold. Tianjin's whole register is 3,520 rows of 10 columns;
    a district's table is a few hundred."""

    max_rows: int = 20_000
    max_columns: int = 50
    max_cell_chars: int = 4_000  # a long remark (备注)
    # All cells together: an XLSX can repeat one long shared string in every cell, so the
    # file's size does not bound the text it reads into memory.
    max_total_chars: int = 32_000_000
    # The XLSX parts' uncompressed size (a sheet of 20,000 rows of 10 text cells is ~8 MB of XML).
    max_expanded_bytes: int = 32 * 1024 * 1024


class _Tally:
    """The characters read so far, against ``max_total_chars``."""

    def __init__(self, limits: TableLimits):
        self.limits, self.chars = limits, 0

    def rows(self, numbered: Iterator[tuple[int, list[str | None]]]) -> Rows:
        for number, cells in numbered:
            cells = _checked(number, cells, self.limits)
            self.chars += sum(len(c) for c in cells if c)
            if self.chars > self.limits.max_total_chars:
                raise UnreadableTable(f"表格文字超过 {self.limits.max_total_chars} 字 / the table holds more than "
                                      f"{self.limits.max_total_chars} characters")
            yield number, cells


def _checked(number: int, cells: list[str | None], limits: TableLimits) -> list[str | None]:
    if number > limits.max_rows + 1:  # the header is row 1
        raise UnreadableTable(f"表格超过 {limits.max_rows} 行 / the table has more than {limits.max_rows} rows")
    if len(cells) > limits.max_columns and any(c not in (None, "") for c in cells[limits.max_columns:]):
        raise UnreadableTable(f"第 {number} 行超过 {limits.max_columns} 列 / row {number} has more than "
                              f"{limits.max_columns} columns")
    for cell in cells:
        if cell is not None and len(cell) > limits.max_cell_chars:
            raise UnreadableTable(f"第 {number} 行有单元格超过 {limits.max_cell_chars} 字 / a cell of row {number} "
                                  f"is longer than {limits.max_cell_chars} characters")
        if cell is not None and "\x00" in cell:
            raise UnreadableTable(f"第 {number} 行含空字符 / row {number} contains a NUL character")
    cells = cells[:limits.max_columns]
    while cells and cells[-1] is None:  # read-only rows come padded to the columns read
        cells.pop()
    return cells


# A row element, with or without a namespace prefix (not <rowBreaks>, <rows…>).
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_CHUNK = 1 << 20


def _check_expansion(data: bytes, limits: TableLimits) -> None:
    """Before openpyxl parses anything (it reads ~10,000 cells a second here, so a sheet of a
    million small rows would hold a thread for minutes): the zip's declared sizes, then the
    rows of each worksheet counted in its raw XML, a megabyte at a time. zipfile never
    inflates a part beyond its declared size, so the first check bounds the second."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            expanded = sum(info.file_size for info in infos)
            if expanded > limits.max_expanded_bytes:
                raise UnreadableTable(f"Excel 文件展开后超过 {limits.max_expanded_bytes} 字节 / the workbook expands "
                                      f"to {expanded} bytes, over {limits.max_expanded_bytes}")
            for info in infos:
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    _count_rows(archive, info, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise UnreadableTable(f"无法读取 Excel 文件 / cannot read the workbook: {exc}") from exc


def _count_rows(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: TableLimits) -> None:
    rows, carry = 0, b""
    with archive.open(info) as part:
        while True:
            chunk = part.read(_CHUNK)
            text = carry + chunk
            # Rows that start before the last 64 bytes are counted now; those bytes go on
            # with the next chunk, so a tag cut in two is counted once.
            cut = max(len(text) - 64, 0) if chunk else len(text)
            rows += sum(1 for match in _ROW.finditer(text) if match.start() < cut)
            carry = text[cut:]
            if rows > limits.max_rows + 1:  # the header is a row
                raise UnreadableTable(f"表格超过 {limits.max_rows} 行 / the table has more than {limits.max_rows} "
                                      f"rows")
            if not chunk:
                return


def _text(value: object) -> str | None:
    """A cell as text; Excel stores codes and amounts as numbers."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(Decimal(repr(value)))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableTable("无法识别文件编码（应为 UTF-8 或 GBK）/ the file is neither UTF-8 nor GBK")


def _is_xlsx(filename: str, data: bytes) -> bool:
    return filename.lower().endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04"


def read_table(filename: str, data: bytes, limits: TableLimits = TableLimits()) -> tuple[list[str | None], Rows]:
    if _is_xlsx(filename, data):
        _check_expansion(data, limits)
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            # The sheet's own dimension may claim 16,384 columns, and read-only rows are padded
            # to it: forget it, and read one column past the cap to see a row that is too wide.
            sheet.reset_dimensions()
            rows = sheet.iter_rows(values_only=True, max_col=limits.max_columns + 1)
            header = next(rows, None)
        except UnreadableTable:
            raise
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise UnreadableTable(f"无法读取 Excel 文件 / cannot read the workbook: {exc}") from exc
        if header is None:
            raise UnreadableTable("表格为空 / the sheet is empty")

        def numbered() -> Rows:
            try:
                yield from _Tally(limits).rows((number, [_text(v) for v in row])
                                               for number, row in enumerate(rows, start=2))
            except UnreadableTable:
                raise
            except Exception as exc:  # a damaged sheet shows only as its rows are read
                raise UnreadableTable(f"无法读取 Excel 文件 / cannot read the workbook: {exc}") from exc
            finally:
                book.close()

        return _checked(1, [_text(v) for v in header], limits), numbered()
    if filename and not filename.lower().endswith((".csv", ".txt")):
        raise UnreadableTable("只接受 .csv 或 .xlsx 文件 / only .csv and .xlsx files are accepted")
    reader = _csv_rows(csv.reader(io.StringIO(_decode(data))), limits)
    _, header = next(reader, (1, None))
    if header is None:
        raise UnreadableTable("表格为空 / the file is empty")
    # CSV cells are text already; read_rows strips them.
    return [_text(v) for v in header], reader


def _csv_rows(reader: Iterator[list[str]], limits: TableLimits) -> Rows:
    """Numbered rows (the header is row 1). The csv module stops on a cell beyond its field
    limit (128 KiB), a broken quote or a NUL: that is a bad file (422), not a server error."""
    try:
        yield from _Tally(limits).rows(enumerate(reader, start=1))  # type: ignore[arg-type]  # list[str] is list[str | None]
    except csv.Error as exc:
        raise UnreadableTable(f"无法读取 CSV 文件 / cannot read the CSV file: {exc}") from exc
