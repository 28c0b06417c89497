"""Uploaded tables are read within caps (issue 18, item 7): a small XLSX that expands to a
million rows is refused within a second with bounded memory; wide rows, huge cells and NUL
characters are refused as a bad file (422), never a server error; CSV alike."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest

from services.registry.adapters.tables import TableLimits, UnreadableTable, read_table

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""


def crafted_xlsx(rows: int, cell: str = "1", columns: int = 1) -> bytes:
    """A workbook written by hand (as an attacker would): ``rows`` rows of ``columns`` cells."""
    # No r="A1" references: every row the same text, which is what lets deflate shrink it ~1000:1.
    row = "<row>" + "".join(f'<c t="inlineStr"><is><t>{cell}</t></is></c>' for _ in range(columns)) + "</row>"
    sheet = io.StringIO()
    sheet.write('<?xml version="1.0" encoding="UTF-8"?><worksheet '
                'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    sheet.write(row * rows)
    sheet.write("</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet.getvalue())
    return out.getvalue()


def read_all(name: str, data: bytes, limits: TableLimits | None = None) -> list:
    headers, rows = read_table(name, data, limits or TableLimits())
    return list(rows)


def test_the_crafted_workbook_is_a_real_workbook_when_small():
    rows = read_all("t.xlsx", crafted_xlsx(50, columns=3))
    assert len(rows) == 49 and rows[-1] == (50, ["1", "1", "1"])  # the first row is the header


def test_a_small_xlsx_expanding_to_a_million_rows_is_refused_quickly_in_bounded_memory():
    bomb = crafted_xlsx(1_000_000)
    assert len(bomb) <= 400_000, len(bomb)  # a few hundred KB on the wire
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(UnreadableTable, match="rows|展开"):
        read_all("bomb.xlsx", bomb)
    took = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert took < 1.0, took
    assert peak < 64 * 1024 * 1024, peak


def test_a_million_tiny_rows_under_the_expansion_cap_are_refused_before_parsing():
    """Empty rows are ~11 bytes of XML: under the expansion cap, yet openpyxl would take
    minutes to read them. The rows are counted in the raw XML first."""
    sheet = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/' \
            b'spreadsheetml/2006/main"><sheetData>' + b"<row/>" * 1_000_000 + b"</sheetData></worksheet>"
    bomb = _with_sheet(sheet)
    assert len(bomb) < 150_000
    started = time.perf_counter()
    with pytest.raises(UnreadableTable, match="rows"):
        read_all("bomb.xlsx", bomb)
    assert time.perf_counter() - started < 1.0


def _with_sheet(sheet: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(crafted_xlsx(1))) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for info in source.infolist():
            data = sheet if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            z.writestr(info.filename, data)
    return out.getvalue()


def test_too_many_rows_within_the_expansion_cap_are_refused():
    with pytest.raises(UnreadableTable, match="rows"):
        read_all("t.xlsx", crafted_xlsx(300), TableLimits(max_rows=200))
    with pytest.raises(UnreadableTable, match="rows"):
        read_all("t.csv", b"a\n" * 300, TableLimits(max_rows=200))


def test_too_wide_a_row_is_refused():
    with pytest.raises(UnreadableTable, match="columns"):
        read_all("t.xlsx", crafted_xlsx(3, columns=70))
    with pytest.raises(UnreadableTable, match="columns"):
        read_all("t.csv", (",".join(["x"] * 70) + "\n").encode() * 3)


def test_a_huge_cell_is_refused():
    with pytest.raises(UnreadableTable, match="cell"):
        read_all("t.xlsx", crafted_xlsx(3, cell="x" * 5000))
    with pytest.raises(UnreadableTable, match="cell"):
        read_all("t.csv", b"a\n" + b"x" * 5000 + b"\n")


def test_a_nul_in_a_cell_is_refused():
    with pytest.raises(UnreadableTable, match="NUL"):
        read_all("t.csv", b"a\nx\x00y\n")


def test_the_text_of_all_cells_together_is_capped():
    """An XLSX can repeat one long shared string in every cell: the file's size does not bound
    the text read, so the total is capped too."""
    with pytest.raises(UnreadableTable, match="characters"):
        read_all("t.xlsx", crafted_xlsx(40, cell="x" * 900, columns=3), TableLimits(max_total_chars=50_000))
