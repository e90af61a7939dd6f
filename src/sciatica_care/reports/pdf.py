"""What the PDFs share: an A4 fpdf2 document in a Unicode font, and the project's SVG figures drawn into it as
vectors.

The body font is DejaVu Sans (Latin, Greek, Cyrillic, Arabic letters …); a name in Chinese, Japanese or Korean
characters is printed through Noto Sans CJK, loaded as a fallback only when a text needs it (it is large). Both are
Debian packages (`fonts-dejavu-core`, `fonts-noto-cjk`, in `.ci/apt-packages` and the README's install command);
nothing is downloaded at run time. On a machine without them the document falls back to the standard Helvetica
font, with every character it lacks shown as '?' (never an error).

fpdf2 is imported here, and this module is imported only by the functions that write a PDF.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Literal

from fpdf import FPDF

from .svg import for_pdf

INK = (43, 43, 43)
MUTED = (107, 98, 89)
ACCENT = (29, 94, 120)
DANGER = (179, 38, 30)
DANGER_BG = (253, 236, 234)
SOFT_BG = (246, 242, 237)
RULE = (226, 219, 211)

# Characters the standard fonts (Windows-1252) lack, in words they have.
_CP1252 = str.maketrans({"≥": ">=", "≤": "<=", "→": "->", "←": "<-", "−": "-", "✕": "x", "≈": "~", "\u202f": " ",
                         "\u2009": " "})


# Where Debian puts the fonts (and Fedora-like layouts, for a developer's machine).
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/share/fonts/dejavu-sans-fonts"), Path("/usr/share/fonts/opentype/noto"),
             Path("/usr/share/fonts/google-noto-cjk"), Path("/usr/share/fonts/noto-cjk"))
BODY_FONT = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf",
             "BI": "DejaVuSans-BoldOblique.ttf"}
# (file, face in the collection): face 2 of Noto's collections is the Simplified Chinese one.
CJK_FONT = {"": ("NotoSansCJK-Regular.ttc", 2), "B": ("NotoSansCJK-Bold.ttc", 2)}


def _find(name: str) -> Path | None:
    return next((d / name for d in FONT_DIRS if (d / name).is_file()), None)


@cache
def body_font() -> dict[str, Path] | None:
    """The body font's files by style, or None when the regular and bold faces are not installed."""
    found = {style: _find(name) for style, name in BODY_FONT.items()}
    if found[""] is None or found["B"] is None:
        return None
    return {style: path for style, path in found.items() if path is not None}


@cache
def cjk_font() -> dict[str, tuple[Path, int]]:
    """The fallback font's (file, face) by style; empty when it is not installed."""
    out: dict[str, tuple[Path, int]] = {}
    for style, (name, face) in CJK_FONT.items():
        path = _find(name)
        if path is not None:
            out[style] = (path, face)
    return out


@cache
def _body_chars() -> frozenset[int]:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    files = body_font()
    if files is None:
        return frozenset()
    with TTFont(files[""], lazy=True) as font:
        return frozenset(font.getBestCmap())


FONT = "sans" if body_font() else "helvetica"


def safe(text: str) -> str:
    """Text the document's font can show: unchanged with the Unicode font; with the standard font anything it
    lacks becomes '?' (never an error)."""
    if FONT != "helvetica":
        return text
    return text.translate(_CP1252).encode("cp1252", "replace").decode("cp1252")


class Document(FPDF):
    """An A4 page set (US Letter for a US form) with a quiet footer: the document's name, the versions and the page
    number."""

    def __init__(self, footer_text: str, orientation: Literal["P", "L"] = "P",
                 page_format: Literal["A4", "Letter"] = "A4", *, fonts_of: Document | None = None) -> None:
        """`fonts_of`: a document whose fonts this one uses as they are, not read and parsed again (a scratch
        page measuring what the other will draw)."""
        super().__init__(orientation=orientation, unit="mm", format=page_format)
        self.page_format: Literal["A4", "Letter"] = page_format
        self.core_fonts_encoding = "windows-1252"
        self._fallback_loaded = False
        files = body_font()
        if fonts_of is not None:
            self.fonts.update(fonts_of.fonts)
            if fonts_of._fallback_loaded:
                self._fallback_font_ids = fonts_of._fallback_font_ids
                self._fallback_font_exact_match = fonts_of._fallback_font_exact_match
                self._fallback_loaded = True
        elif files is not None:
            for style, path in files.items():
                self.add_font(FONT, style, str(path))
        self.footer_text = self.safe(footer_text)
        self.set_margins(15, 14, 15)
        self.set_auto_page_break(True, margin=16)
        self.set_font(FONT, size=10)
        self.set_text_color(*INK)
        self.alias_nb_pages()

    def safe(self, text: str) -> str:
        """`text` ready for this document: the fallback font is loaded the first time a character needs it."""
        if FONT == "helvetica":
            return safe(text)
        if not self._fallback_loaded and any(ord(c) > 0x7F and ord(c) not in _body_chars() for c in text):
            self._load_fallback()
        return text

    def _load_fallback(self) -> None:
        self._fallback_loaded = True
        faces = cjk_font()
        if not faces:
            return
        for style in ("", "B", "I", "BI"):
            path, face = faces.get(style.replace("I", ""), faces.get("", next(iter(faces.values()))))
            self.add_font("fallback", style, str(path), collection_font_number=face)
        self.set_fallback_fonts(["fallback"], exact_match=False)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, size=7.5)
        self.set_text_color(*MUTED)
        self.cell(0, 4, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(*INK)

    @property
    def content_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def space_left(self) -> float:
        return self.page_break_trigger - self.get_y()

    def keep(self, height: float) -> None:
        """Start a new page unless `height` mm still fit on this one."""
        if height > self.space_left():
            self.add_page()

    def text_height(self, width: float, text: str, size: float, line_h: float, style: str = "") -> float:
        self.set_font(FONT, style, size)
        lines = self.multi_cell(width, line_h, self.safe(text), dry_run=True, output="LINES")
        return len(lines) * line_h  # type: ignore[arg-type]

    def para(self, text: str, size: float = 10, line_h: float = 4.9, style: str = "", width: float = 0,
             colour: tuple[int, int, int] = INK, x: float | None = None, align: str = "J") -> None:
        self.set_font(FONT, style, size)
        self.set_text_color(*colour)
        if x is not None:
            self.set_x(x)
        self.multi_cell(width, line_h, self.safe(text), new_x="LMARGIN" if x is None else "LEFT", new_y="NEXT",
                        align=align)
        self.set_text_color(*INK)

    def heading(self, text: str, size: float = 13, colour: tuple[int, int, int] = ACCENT, space: float = 3) -> None:
        self.keep(size * 0.5 + 48)  # a heading never ends a page: keep room for what follows
        self.ln(space)
        self.set_font(FONT, "B", size)
        self.set_text_color(*colour)
        self.multi_cell(0, size * 0.5, self.safe(text), new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y() + 0.8, self.w - self.r_margin, self.get_y() + 0.8)
        self.ln(2.4)
        self.set_text_color(*INK)

    def svg(self, svg: str, x: float, y: float, w: float) -> float:
        """Draw an SVG figure `w` mm wide with its top-left at (x, y); return its height in mm."""
        width, height = svg_size(svg)
        h = w * height / width
        self.image(io.BytesIO(for_pdf(svg).encode("utf-8")), x=x, y=y, w=w, h=h)
        return h

    def measure(self, draw: Callable[[Document], None], inset: float = 0.0) -> float:
        """The height `draw` takes, found by drawing it on a scratch page of the same width."""
        scratch = Document(self.footer_text, "L" if self.w > self.h else "P", self.page_format, fonts_of=self)
        scratch.set_margins(self.l_margin + inset, self.t_margin, self.r_margin + inset)
        scratch.set_auto_page_break(False)
        scratch.add_page()
        start = scratch.get_y()
        draw(scratch)
        return scratch.get_y() - start

    def box(self, draw: Callable[[Document], None], fill: tuple[int, int, int], border: tuple[int, int, int],
            pad: float = 3.5) -> None:
        """Draw `draw`'s content in a filled, bordered box the width of the page (kept on one page)."""
        height = self.measure(draw, pad) + 2 * pad
        self.keep(height)
        top = self.get_y()
        with self.local_context(fill_color=fill, draw_color=border, line_width=0.4):
            self.rect(self.l_margin, top, self.content_width, height, style="DF")
        self.set_y(top + pad)
        left, right = self.l_margin, self.r_margin
        self.set_left_margin(left + pad)
        self.set_right_margin(right + pad)
        self.set_x(self.l_margin)
        draw(self)
        self.set_left_margin(left)
        self.set_right_margin(right)
        self.set_xy(left, top + height)


_SIZE = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+)"[^>]*?\bheight="([\d.]+)"')


def svg_size(svg: str) -> tuple[float, float]:
    m = _SIZE.search(svg)
    if not m:
        raise ValueError("the SVG has no width and height")
    return float(m.group(1)), float(m.group(2))
