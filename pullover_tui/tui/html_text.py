"""Pushover's small HTML subset turned into styled Rich text, as a phone shows it.

Pushover renders ``<b> <i> <u> <font color> <a href>``; any other tag is
dropped and its text kept, which is what the preview does too.
"""

from __future__ import annotations

from html.parser import HTMLParser

from rich.color import Color, ColorParseError
from rich.style import Style
from rich.text import Text

_LINK_STYLE = Style(underline=True, color="bright_blue")
_TAG_STYLES = {"b": Style(bold=True), "i": Style(italic=True), "u": Style(underline=True)}


class _Renderer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = Text()
        self._open: list[tuple[str, Style]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        style: Style | None = _TAG_STYLES.get(tag)
        if tag == "font":
            style = _font_style(values.get("color", ""))
        elif tag == "a":
            style = _LINK_STYLE
        if style is not None:
            self._open.append((tag, style))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index]
                break

    def handle_data(self, data: str) -> None:
        style = Style.chain(*(style for _, style in self._open)) if self._open else ""
        self.text.append(data, style)


def _font_style(color: str) -> Style:
    try:
        return Style(color=Color.parse(color.strip())) if color.strip() else Style()
    except ColorParseError:
        return Style()


def html_to_text(html: str) -> Text:
    """Render Pushover's HTML subset; unknown tags vanish, their text stays."""
    renderer = _Renderer()
    renderer.feed(html)
    renderer.close()
    return renderer.text
