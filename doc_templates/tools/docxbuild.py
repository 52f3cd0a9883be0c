"""Layout helpers for the template generators: A4 official-document pages (GB/T 9704) built with python-docx.

Every piece of text is written as one run, so a Jinja tag is never split across runs and docxtpl sees it intact.
East Asian font names are set on every run (w:eastAsia), so Word/WPS show 宋体/仿宋/黑体 and LibreOffice
falls back to the Noto CJK fonts through fontconfig.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

SONG, FANG, HEI = "宋体", "仿宋", "黑体"
LATIN = "Times New Roman"
BODY_PT, TABLE_PT, TITLE_PT, AGENCY_PT = 16, 11, 22, 18
LINE_PT, TABLE_LINE_PT = 28, 18
TEXT_WIDTH_MM = 210 - 28 - 26
ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}


def set_run_font(run, font: str = FANG, size: float = BODY_PT, bold: bool = False) -> None:
    """Latin and East Asian font names, size and weight on one run."""
    run.font.name = LATIN
    run.font.size = Pt(size)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)


def _set_defaults(document) -> None:
    """Document defaults: 仿宋 三号, Chinese language (so CJK fallback picks Simplified Chinese glyphs)."""
    styles = document.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in list(rpr):
        rpr.remove(child)
    fonts = OxmlElement("w:rFonts")
    for attr, value in (("ascii", LATIN), ("hAnsi", LATIN), ("eastAsia", FANG), ("cs", LATIN)):
        fonts.set(qn(f"w:{attr}"), value)
    rpr.append(fonts)
    for tag in ("w:sz", "w:szCs"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), str(BODY_PT * 2))
        rpr.append(el)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")
    rpr.append(lang)
    spacing = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    normal = document.styles["Normal"]
    normal.font.name = LATIN
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANG)


def _drop_thumbnail(document) -> None:
    """python-docx's default package carries its own thumbnail picture; a template should not."""
    package = document.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package.rels[rid]


def _slim_styles(document) -> None:
    """Keep only the styles a template uses (and what they are based on); drop Word 2010's stylesWithEffects copy.

    python-docx's default package carries ~800 KB of style definitions that every render would parse and compress
    again; a template needs a few dozen. Word and LibreOffice fall back to their built-in latent styles.
    """
    main = document.part
    for rid, rel in list(main.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            del main.rels[rid]
    styles = document.styles.element
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)
    used = set()
    for part in main.package.parts:
        element = getattr(part, "_element", None)
        if element is None or element is styles:
            continue
        for tag in ("w:pStyle", "w:rStyle", "w:tblStyle", "w:numStyleLink", "w:styleLink"):
            used |= {e.get(qn("w:val")) for e in element.iter(qn(tag))}
    by_id = {st.get(qn("w:styleId")): st for st in styles.findall(qn("w:style"))}
    keep = {sid for sid, st in by_id.items() if st.get(qn("w:default")) == "1"} | (used & set(by_id))
    pending = list(keep)
    while pending:
        st = by_id[pending.pop()]
        for tag in ("w:basedOn", "w:link", "w:next"):
            ref = st.find(qn(tag))
            if ref is not None and ref.get(qn("w:val")) in by_id and ref.get(qn("w:val")) not in keep:
                keep.add(ref.get(qn("w:val")))
                pending.append(ref.get(qn("w:val")))
    for sid, st in by_id.items():
        if sid not in keep:
            styles.remove(st)


@dataclass
class Cell:
    text: str | list[str]
    span: int = 1
    label: bool = False
    align: str = "left"


def lab(text: str, span: int = 1) -> Cell:
    """A label cell: 黑体, centred."""
    return Cell(text, span, label=True, align="center")


def val(text: str | list[str], span: int = 1, align: str = "left") -> Cell:
    """A value cell: 仿宋; a list gives one paragraph per item (a paragraph may be a `{%p %}` tag)."""
    return Cell(text, span, align=align)


class Form:
    """One template document under construction."""

    def __init__(self, title: str, *, agency: bool = True) -> None:
        self.title = title
        self.doc = Document()
        self._notes: list = []
        _set_defaults(self.doc)
        _drop_thumbnail(self.doc)
        section = self.doc.sections[0]
        section.start_type = WD_SECTION.NEW_PAGE
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.header_distance, section.footer_distance = Mm(15), Mm(20)
        self._page_number(section)
        props = self.doc.core_properties
        props.title, props.author, props.last_modified_by = title, "EnforceFlow", "EnforceFlow"
        props.comments, props.subject, props.keywords = "", "", ""
        # the body starts empty: python-docx's default document has no paragraphs
        if agency:
            self.para("{{ agency.name }}", indent=False, align="center", font=SONG, size=AGENCY_PT, bold=True,
                      line=None)
        self.para(title, indent=False, align="center", font=SONG, size=TITLE_PT, bold=True, line=None, after=10)

    # -- paragraphs ----------------------------------------------------------------------------------------------

    def para(self, text: str = "", *, indent: bool = True, align: str = "justify", font: str = FANG,
             size: float = BODY_PT, bold: bool = False, line: float | None = LINE_PT, before: float = 0,
             after: float = 0, right_indent_chars: float = 0, keep_next: bool = False, container=None):
        """One paragraph holding `text` as a single run (so Jinja tags stay whole)."""
        target = container if container is not None else self.doc
        p = target.add_paragraph()
        fmt = p.paragraph_format
        fmt.alignment = ALIGN[align]
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
        if line:
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(line)
        else:
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        if indent:
            fmt.first_line_indent = Pt(size * 2)
        if right_indent_chars:
            fmt.right_indent = Pt(size * right_indent_chars)
        if keep_next:
            fmt.keep_with_next = True
        if text:
            set_run_font(p.add_run(text), font, size, bold)
        return p

    def tag(self, tag: str, container=None) -> None:
        """A paragraph holding only a docxtpl paragraph tag (`{%p if … %}`), removed when rendered."""
        self.para(tag, indent=False, line=None, container=container)

    def number(self, text: str = "{{ doc.no }}", align: str = "right") -> None:
        """The 文号 line under the title."""
        self.para(text, indent=False, align=align, line=LINE_PT, after=6, right_indent_chars=0)

    def case_line(self) -> None:
        """案件编号 line above an internal form's table."""
        self.para("案件编号：{{ case.no }}", indent=False, align="right", size=TABLE_PT, line=TABLE_LINE_PT, after=4)

    def addressee(self, text: str) -> None:
        self.para(text, indent=False)

    def body(self, *texts: str) -> None:
        for text in texts:
            if text.startswith("{%p"):
                self.tag(text)
            else:
                self.para(text)

    def signoff(self, name: str = "{{ agency.name }}", date: str = "{{ doc.date|cn_date }}", seal: str = "（印章）",
                before: float = 28) -> None:
        """落款: agency, seal placeholder and date, right-aligned with a four-character right indent.

        The last few paragraphs before it keep with it, so the 落款 never stands alone on a page (GB/T 9704 7.3.5).
        """
        for p in reversed(self.doc.paragraphs):
            p.paragraph_format.keep_with_next = True
            if not (p.text.startswith("{%p") or any(p._p is n for n in self._notes)):
                break  # the contact notes and the last paragraph of the body
        self.para(name, indent=False, align="right", right_indent_chars=2, before=before, keep_next=True)
        self.para(seal, indent=False, align="right", right_indent_chars=4, keep_next=True)
        self.para(date, indent=False, align="right", right_indent_chars=2)

    def note(self, text: str, before: float = 12) -> None:
        """Small print at the end (contact details, copies)."""
        self._notes.append(self.para(text, indent=False, size=14, line=22, before=before)._p)

    def sign_line(self, text: str, before: float = 6) -> None:
        """A signature line in a record (笔录): text left-aligned, 四号."""
        self.para(text, indent=False, size=14, line=24, before=before)

    # -- tables --------------------------------------------------------------------------------------------------

    def table(self, widths_mm: list[float], rows: list, *, size: float = TABLE_PT) -> None:
        """A bordered table; each row is a list of Cells, `("tr", tag)` for a docxtpl row tag,
        or `(height_mm, [cells])` for a row with a minimum height."""
        total = sum(widths_mm)
        widths = [Mm(w * TEXT_WIDTH_MM / total) for w in widths_mm]
        table = self.doc.add_table(rows=0, cols=len(widths))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width  # w:gridCol, which LibreOffice and WPS lay the table out by
        for spec in rows:
            height = None
            if isinstance(spec, tuple) and spec[0] == "tr":
                cells = [val("{%tr " + spec[1] + " %}", len(widths))]
            elif isinstance(spec, tuple):
                height, cells = spec
            else:
                cells = spec
            self._row(table, widths, cells, height, size)
        # a paragraph after a table keeps Word from gluing the next table onto it
        self.para("", indent=False, line=None, size=6)

    def _row(self, table, widths, cells: list[Cell], height, size) -> None:
        if sum(c.span for c in cells) != len(widths):
            raise ValueError(f"row spans {sum(c.span for c in cells)} of {len(widths)} columns: {cells}")
        row = table.add_row()
        cant_split = OxmlElement("w:cantSplit")  # keep each form row on one page
        row._tr.get_or_add_trPr().append(cant_split)
        if height:
            row.height = Mm(height)
            row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        col = 0
        for spec in cells:
            cell = row.cells[col]
            if spec.span > 1:
                cell = cell.merge(row.cells[col + spec.span - 1])
            for i in range(col, col + spec.span):
                row.cells[i].width = widths[i]
            cell.width = sum(widths[col:col + spec.span], Mm(0))
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER if spec.label else WD_CELL_VERTICAL_ALIGNMENT.TOP
            self._fill(cell, spec, size)
            col += spec.span

    def _fill(self, cell, spec: Cell, size: float) -> None:
        texts = spec.text if isinstance(spec.text, list) else [spec.text]
        first = cell.paragraphs[0]
        for i, text in enumerate(texts):
            p = first if i == 0 else cell.add_paragraph()
            fmt = p.paragraph_format
            align = spec.align
            if text.startswith(">>"):  # right-aligned signature line inside an opinion cell
                text, align = text[2:], "right"
            fmt.alignment = ALIGN[align]
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(TABLE_LINE_PT if size <= 12 else size + 8)
            fmt.space_before = fmt.space_after = Pt(2 if spec.label else 1)
            if text:
                set_run_font(p.add_run(text), HEI if spec.label else FANG, size)

    # -- output --------------------------------------------------------------------------------------------------

    def _page_number(self, section) -> None:
        """Footer page number in the 公文 style: — 1 —."""
        p = section.footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_run_font(p.add_run("— "), SONG, 14)
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), " PAGE ")
        inner = p.add_run("1")
        set_run_font(inner, SONG, 14)
        field.append(inner._element)
        p._p.append(field)
        set_run_font(p.add_run(" —"), SONG, 14)

    def save(self, path: Path) -> None:
        """Save with fixed zip timestamps, so regenerating an unchanged template changes no byte."""
        _slim_styles(self.doc)
        buffer = io.BytesIO()
        self.doc.save(buffer)
        with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, \
                zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                fixed = zipfile.ZipInfo(item.filename, date_time=(2026, 1, 1, 0, 0, 0))
                fixed.compress_type = zipfile.ZIP_DEFLATED
                dst.writestr(fixed, src.read(item.filename))
