"""Reading a district office's table — CSV (UTF-8 or GB18030, as Excel saves it) or XLSX —
into a header row and numbered rows of text cells."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook

Rows = Iterator[tuple[int, list[str | None]]]


class UnreadableTable(ValueError):
    pass


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


def read_table(filename: str, data: bytes) -> tuple[list[str | None], Rows]:
    if _is_xlsx(filename, data):
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise UnreadableTable(f"无法读取 Excel 文件 / cannot read the workbook: {exc}") from exc
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise UnreadableTable("表格为空 / the sheet is empty")

        def numbered() -> Rows:
            try:
                for number, row in enumerate(rows, start=2):
                    yield number, [_text(v) for v in row]
            except Exception as exc:  # a damaged sheet shows only as its rows are read
                raise UnreadableTable(f"无法读取 Excel 文件 / cannot read the workbook: {exc}") from exc
            finally:
                book.close()

        return [_text(v) for v in header], numbered()
    if filename and not filename.lower().endswith((".csv", ".txt")):
        raise UnreadableTable("只接受 .csv 或 .xlsx 文件 / only .csv and .xlsx files are accepted")
    reader = _csv_rows(csv.reader(io.StringIO(_decode(data))))
    _, header = next(reader, (1, None))
    if header is None:
        raise UnreadableTable("表格为空 / the file is empty")
    # CSV cells are text already; read_rows strips them.
    return [_text(v) for v in header], reader


def _csv_rows(reader: Iterator[list[str]]) -> Rows:
    """Numbered rows (the header is row 1). The csv module stops on a cell beyond its field
    limit (128 KiB) or a broken quote: that is a bad file (422), not a server error."""
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise UnreadableTable(f"无法读取 CSV 文件 / cannot read the CSV file: {exc}") from exc
