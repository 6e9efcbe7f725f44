"""A WordPress post's HTML as the Markdown our editor edits, and a check that nothing was lost.

blocks.py gives the HTML as WordPress would show it. Here its images become photo snippets
(inline_photos.py), its embeds and lone links our embeds (embeds.py), its numbered notes
Markdown footnotes; what cannot come along is taken out and reported. markdownify, given our own
elements for those, writes the rest. text_lost() then compares the text readers will see with the
text of the HTML that was converted, so that a loss is reported rather than found by readers.
"""

import copy
import difflib
import json
import re
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from markdownify import ATX, MarkdownConverter

from rsflask.wordpress.figures import PhotoFor, embeds, ours, photos

# Elements whose content cannot come along: a player, a form, a script, a drawing.
LEFT_OUT = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "video",
    "audio",
    "form",
    "input",
    "button",
    "select",
    "textarea",
    "noscript",
    "svg",
    "canvas",
    "template",
    "map",
    "applet",
    "math",
}
# Elements that only hold others (the Converter makes Markdown of those it has a method for).
HOLDERS = {"span", "header", "footer", "aside", "main", "nav", "figure", "thead", "tbody", "tfoot"}
NOTE_LABEL = re.compile(r"\[?(\d{1,3}|[*†‡§]{1,3})\]?")
LINK_SCHEMES = ("http", "https", "mailto")
# Typography that Python-Markdown's smarty extension makes of plain quotes, dashes and dots.
TYPOGRAPHY = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)


@dataclass
class Body:
    markdown: str
    # The text of the HTML that became the Markdown, to compare with what readers get.
    source_text: str
    problems: list[str] = field(default_factory=list)


def convert(html: str, photo_for: PhotoFor, footnotes_meta: str = "") -> Body:
    """The Markdown of one post's prepared HTML; what it could not keep is in `problems`."""
    problems: list[str] = []
    soup = BeautifulSoup(html, "html.parser")
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    embeds(soup, problems)
    footnotes(soup, footnotes_meta)
    photos(soup, photo_for, problems)
    left_out(soup, problems)
    links(soup, problems)
    # Text on both sides of what was taken out is one text again, its spaces made one.
    soup.smooth()
    source_text = soup.get_text()
    markdown = Converter().convert_soup(soup).strip() + "\n"
    return Body(re.sub(r"\n{3,}", "\n\n", markdown), source_text, problems)


def footnotes(soup: BeautifulSoup, footnotes_meta: str) -> None:
    """Numbered notes become Markdown footnotes: WordPress 6.3's own (their texts are in the
    post's meta) and the hand-made kind, a superscript link to a note further down."""
    notes: dict[str, str] = {}  # the note's id in the HTML -> its label
    area = ours(soup, "wpnotes")
    try:
        core = {n["id"]: n["content"] for n in json.loads(footnotes_meta or "[]")}
    except (ValueError, TypeError, KeyError):
        core = {}
    for link in soup.find_all("a", href=re.compile(r"^#.")):
        if link.decomposed:
            continue
        target_id, label_text = link["href"][1:], link.get_text(strip=True)
        sup = link.find_parent("sup") or (link.find("sup") and link)
        if sup is None or not NOTE_LABEL.fullmatch(label_text):
            continue
        if target_id not in notes:
            if sup.get("data-fn") in core:
                note = ours(soup, "wpnote", label=str(len(notes) + 1))
                note.append(BeautifulSoup(core[sup["data-fn"]], "html.parser"))
            else:
                target = soup.find(id=target_id)
                # A link inside its own target is the note's way back, not a reference.
                if target is None or link.find_parent(id=target_id) is not None:
                    continue
                note = note_from(soup, target, label_text, str(len(notes) + 1))
            notes[target_id] = note["label"]
            area.append(note)
        sup.replace_with(reference(soup, notes[target_id]))
    if area.contents:
        soup.append(area)


def reference(soup: BeautifulSoup, label: str) -> Tag:
    tag = ours(soup, "wpfootnote", label=label)
    tag.string = label
    return tag


def note_from(soup: BeautifulSoup, target: Tag, marker: str, label: str) -> Tag:
    """The note's text, without its number or its links back; the target leaves the body."""
    text = copy.copy(target)
    for back in text.find_all("a", href=re.compile(r"^#")):
        back.decompose()
    first = next((c for c in text.contents if not (isinstance(c, str) and not c.strip())), None)
    if isinstance(first, Tag) and first.get_text(strip=True).strip("[]().") == marker.strip("[]"):
        first.decompose()
    elif isinstance(first, NavigableString):
        first.replace_with(
            re.sub(rf"^\s*\[?{re.escape(marker.strip('[]'))}\]?[.):]?\s*", "", first)
        )
    container = target.parent
    target.decompose()
    if container is not None and container.name in ("ol", "ul") and not container.find("li"):
        container.decompose()
    note = ours(soup, "wpnote", label=label)
    if text.name == "li":
        text.name = "p"
    note.append(text)
    return note


def left_out(soup: BeautifulSoup, problems: list[str]) -> None:
    plain: dict[str, int] = {}
    for element in soup.find_all(True):
        if element.decomposed:
            continue
        if element.name in LEFT_OUT:
            where = element.get("src") or element.get("data") or element.get("action") or ""
            shown = f" ({where})" if where else ""
            problems.append(f"a <{element.name}>{shown} is left out: the site does not show one")
            element.decompose()
        elif not keeps_formatting(element.name):
            plain[element.name] = plain.get(element.name, 0) + 1
    if plain:
        listed = ", ".join(f"<{name}> ({count})" for name, count in sorted(plain.items()))
        problems.append(f"kept the text but not the formatting of {listed}")


def keeps_formatting(name: str) -> bool:
    """Whether the Markdown keeps what an element means, not only its text."""
    made = hasattr(Converter, f"convert_{name}") or re.fullmatch(r"h[1-6]", name)
    return bool(made) or name in HOLDERS | {"col", "colgroup", "wpnotes"}


def links(soup: BeautifulSoup, problems: list[str]) -> None:
    for link in soup.find_all("a", href=True):
        href = link["href"].strip()
        scheme = urlsplit(href).scheme.lower()
        if "/wp-content/uploads/" in href:
            problems.append(
                f"the link {link.get_text(' ', strip=True)!r} leads to a file of the old site "
                f"({href[:100]}), which is not imported: it breaks once the old domain points "
                "here, so put the file somewhere and change the link"
            )
        elif href.startswith("#"):
            problems.append(
                f"the link {link.get_text(' ', strip=True)!r} to {href} within the text leads "
                "nowhere now: the site keeps no anchors in a body"
            )
        elif scheme and scheme not in LINK_SCHEMES:
            problems.append(
                f"the link {link.get_text(' ', strip=True)!r} ({href[:80]}) is kept as text: "
                "the site links only to web and email addresses"
            )
            link.unwrap()


class Converter(MarkdownConverter):
    """markdownify with our elements, and escaping as Python-Markdown reads it."""

    def __init__(self) -> None:
        super().__init__(
            heading_style=ATX, bullets="-", escape_asterisks=False, escape_underscores=False
        )

    def escape(self, text: str, parent_tags: set[str]) -> str:
        if not text:
            return ""
        text = re.sub(r"([\\`*_\[\]])", r"\\\1", text)
        text = re.sub(r"&(?=#?\w+;)", "&amp;", text)
        text = text.replace("<", "&lt;")
        if parent_tags & {"td", "th"}:
            text = text.replace("|", "\\|")
        text = re.sub(r"(^|\n)(\s*)([#>+-])(?=\s|$)", r"\1\2\\\3", text)
        return re.sub(r"(^|\n)(\s*\d+)\.(?=\s|$)", r"\1\2\\.", text)

    def convert_wpphoto(self, el, text, parent_tags):
        return f"\n\n{el['snippet']}\n\n"

    def convert_wpembed(self, el, text, parent_tags):
        url, title = el["url"], el.get("title", "")
        line = f"[{self.escape(title, set())}](<{url}>)" if title else url
        return f"\n\n{line}\n\n"

    def convert_wpfootnote(self, el, text, parent_tags):
        return f"[^{el['label']}]"

    def convert_wpnote(self, el, text, parent_tags):
        first, *rest = text.strip().split("\n")
        more = "".join(f"\n    {line}" if line.strip() else "\n" for line in rest)
        return f"\n\n[^{el['label']}]: {first}{more}\n\n"

    def convert_inline_html(self, el, text, parent_tags):
        """An element the site shows that Markdown has no syntax for, as HTML in the Markdown."""
        if not text.strip():
            return text
        title = f' title="{escape(el["title"])}"' if el.name == "abbr" and el.get("title") else ""
        return f"<{el.name}{title}>{text}</{el.name}>"

    convert_sup = convert_sub = convert_mark = convert_small = convert_inline_html
    convert_ins = convert_abbr = convert_cite = convert_del = convert_s = convert_inline_html


def comparable(text: str) -> str:
    text = text.translate(TYPOGRAPHY).replace("…", "...").replace("↩", "")
    return re.sub(r"-+", "-", " ".join(text.split()))


def text_lost(body: Body, rendered_html: str) -> str | None:
    """What differs between the converted HTML's text and what readers get (photos and embeds
    aside, which are figures of ours, but counted); None when nothing does."""
    snippets = len(re.findall(r"\]\(photo:\d+", body.markdown))
    shown = rendered_html.count('<figure class="inline-photo"')
    if shown != snippets:
        return f"{shown} of the {snippets} photos in the text show"
    source_text = body.source_text
    rendered = BeautifulSoup(rendered_html, "html.parser")
    for figure in rendered.find_all("figure"):
        figure.decompose()
    before, after = comparable(source_text), comparable(rendered.get_text())
    if before.replace(" ", "") == after.replace(" ", ""):
        return None
    words_before, words_after = before.split(), after.split()
    matcher = difflib.SequenceMatcher(None, words_before, words_after, autojunk=False)
    for kind, start, end, start_after, end_after in matcher.get_opcodes():
        if kind != "equal":
            context = " ".join(words_before[max(0, start - 4) : start])
            was = " ".join(words_before[start:end][:8]) or "(nothing)"
            now = " ".join(words_after[start_after:end_after][:8]) or "(nothing)"
            return f"after “…{context}” the text said “{was}”, and now says “{now}”"
    return None
