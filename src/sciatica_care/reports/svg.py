"""A few helpers for writing SVG by hand: escaping, number formatting, elements, the root with its title."""

from __future__ import annotations

import re
from html import escape

FONT = "Helvetica, Arial, sans-serif"


def num(v: float) -> str:
    text = f"{v:.1f}"
    return "0" if text in ("0.0", "-0.0") else text.removesuffix(".0")


def attrs(**kw: str | float | None) -> str:
    """Attributes in keyword form (`stroke_width` → `stroke-width`, `class_` → `class`); None leaves one out."""
    out = []
    for key, value in kw.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        text = num(value) if isinstance(value, float | int) and not isinstance(value, bool) else str(value)
        out.append(f' {name}="{escape(text, quote=True)}"')
    return "".join(out)


def el(tag: str, body: str | None = None, **kw: str | float | None) -> str:
    return f"<{tag}{attrs(**kw)}/>" if body is None else f"<{tag}{attrs(**kw)}>{body}</{tag}>"


def text(x: float, y: float, content: str, size: float = 10, **kw: str | float | None) -> str:
    kw.setdefault("font_family", FONT)
    return el("text", escape(content, quote=False), x=x, y=y, font_size=size, **kw)


def title(content: str) -> str:
    return f"<title>{escape(content, quote=False)}</title>"


def document(width: float, height: float, heading: str, description: str, body: str, uid: str = "fig",
             x0: float = 0, y0: float = 0) -> str:
    """A standalone, accessible SVG: role="img", labelled by its <title> and <desc>."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="{num(x0)} {num(y0)} {num(width)} '
        f'{num(height)}" width="{num(width)}" height="{num(height)}" role="img" '
        f'aria-labelledby="{uid}-title {uid}-desc">'
        f'<title id="{uid}-title">{escape(heading, quote=False)}</title>'
        f'<desc id="{uid}-desc">{escape(description, quote=False)}</desc>'
        f"{body}</svg>"
    )


_LATIN1 = str.maketrans({
    "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "•": "-", "→": "->", "≥": ">=",
    "≤": "<=", "×": "x", "−": "-", "✕": "x", "\u00a0": " ",
})
_NOT_DRAWN = re.compile(r"<(title|desc)\b[^>]*>.*?</\1>", re.DOTALL)


def for_pdf(svg: str) -> str:
    """The SVG as fpdf2 draws it: no <title>/<desc> (it ignores them noisily), text in Latin-1."""
    stripped = _NOT_DRAWN.sub("", svg).translate(_LATIN1)
    return stripped.encode("latin-1", "replace").decode("latin-1")
