"""Reading back the sanitised HTML the site stores (markup.py makes it): where its top-level
blocks end (the teaser split), the same HTML with absolute links (feeds), its plain text (search).

One parser serves all three: it lists the fragment's tokens with where each ends in the source.
The HTML is nh3's output, so it holds no comments, doctypes or processing instructions.
"""

import re
from html import escape, unescape
from html.parser import HTMLParser
from typing import NamedTuple
from urllib.parse import urljoin

VOID = frozenset({"br", "hr", "img", "wbr"})
# Tags that do not end a word: "<b>over</b>seas" is one word, "<p>end</p><p>start" two.
INLINE = frozenset(
    {"a", "abbr", "b", "cite", "code", "del", "em", "i", "ins", "kbd", "mark", "q", "s"}
    | {"samp", "small", "span", "strong", "sub", "sup"}
)


class Token(NamedTuple):
    kind: str  # "start", "startend", "end", "data", "entity"
    tag: str
    attrs: list[tuple[str, str | None]]
    text: str  # data as written, or an entity or character reference as written
    end: int  # offset in the source just past the token


class _Tokens(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=False)
        self.line_starts = [0, *(match.end() for match in re.finditer("\n", html))]
        self.found: list[tuple[str, str, list, str, int]] = []
        self.feed(html)
        self.close()

    def add(self, kind: str, tag: str = "", attrs: list | None = None, text: str = "") -> None:
        line, column = self.getpos()
        self.found.append((kind, tag, attrs or [], text, self.line_starts[line - 1] + column))

    def handle_starttag(self, tag, attrs) -> None:
        self.add("start", tag, attrs)

    def handle_startendtag(self, tag, attrs) -> None:
        self.add("startend", tag, attrs)

    def handle_endtag(self, tag) -> None:
        self.add("end", tag)

    def handle_data(self, data) -> None:
        self.add("data", text=data)

    def handle_entityref(self, name) -> None:
        self.add("entity", text=f"&{name};")

    def handle_charref(self, name) -> None:
        self.add("entity", text=f"&#{name};")


def tokens(html: str) -> list[Token]:
    """The fragment's tokens; each ends where the next one starts."""
    found = _Tokens(html).found
    starts = [start for *_, start in found[1:]] + [len(html)] if found else []
    return [Token(*token[:4], end) for token, end in zip(found, starts, strict=True)]


def top_level_ends(html: str) -> list[int]:
    """The offsets at which the fragment's top-level elements end."""
    depth, ends = 0, []
    for token in tokens(html):
        whole = token.kind == "startend" or (token.kind == "start" and token.tag in VOID)
        if whole:
            if depth == 0:
                ends.append(token.end)
        elif token.kind == "start":
            depth += 1
        elif token.kind == "end" and token.tag not in VOID:
            depth -= 1
            if depth == 0:
                ends.append(token.end)
    return ends


def with_absolute_links(html: str, base: str) -> str:
    """The fragment again, with every href and src, and each address of a srcset, resolved
    against `base`."""
    out = []
    for token in tokens(html):
        if token.kind in ("start", "startend"):
            parts = [token.tag]
            for name, value in token.attrs:
                if value is None:
                    parts.append(name)
                    continue
                if name in ("href", "src"):
                    value = urljoin(base, value)
                elif name == "srcset":
                    value = absolute_srcset(value, base)
                parts.append(f'{name}="{escape(value)}"')
            out.append(f"<{' '.join(parts)}{' /' if token.kind == 'startend' else ''}>")
        elif token.kind == "end":
            out.append(f"</{token.tag}>")
        else:
            out.append(token.text)
    return "".join(out)


def absolute_srcset(srcset: str, base: str) -> str:
    """A srcset with each candidate's address resolved against `base`, its width kept.

    Only inline_photos.figure writes a srcset (the sanitiser lets none through), as
    "address 480w, address 800w": its addresses hold no comma or space.
    """
    candidates = []
    for candidate in srcset.split(","):
        address, _, descriptor = candidate.strip().partition(" ")
        if address:
            candidates.append(f"{urljoin(base, address)} {descriptor.strip()}".strip())
    return ", ".join(candidates)


def plain_text(html: str) -> str:
    """The fragment's text: block boundaries become spaces, inline tags join words."""
    parts = []
    for token in tokens(html):
        if token.kind == "data":
            parts.append(token.text)
        elif token.kind == "entity":
            parts.append(unescape(token.text))
        elif token.tag not in INLINE:
            parts.append(" ")
    return "".join(parts)
