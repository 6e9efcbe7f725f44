"""A WordPress post's content as the HTML WordPress would show, before it becomes Markdown.

What WordPress does when it displays a post, and an export leaves undone: reusable blocks put in
where they are used, block comments taken out, core shortcodes ([caption], [gallery], [embed],
[video], [audio]) made HTML, and in classic content (no blocks) paragraphs and line breaks made
from blank lines and newlines, as its wpautop() does.
"""

import html
import json
import re

from rsflask.embeds import PROVIDERS
from rsflask.wordpress.wxr import Attachment

BLOCK_COMMENT = re.compile(r"<!--\s*(/?)wp:([a-z0-9_/-]+)\s*(\{.*?\})?\s*(/?)-->", re.S)
# Blocks that save nothing of their own: their place in the text is all there is to drop.
EMPTY_BLOCKS = {"more", "nextpage", "footnotes", "spacer", "separator"}
ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s'"\]]+))""")
CAPTION = re.compile(r"\[(?:wp_)?caption\b([^\]]*)\](.*?)\[/(?:wp_)?caption\]", re.S)
CAPTIONED_IMAGE = re.compile(r"\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)", re.S)
GALLERY = re.compile(r"\[gallery\b([^\]]*)\]")
EMBED = re.compile(r"\[embed\b[^\]]*\](.*?)\[/embed\]", re.S)
MEDIA = re.compile(r"\[(video|audio|playlist)\b([^\]]*)\](?:(.*?)\[/\1\])?", re.S)
# A shortcode of a plugin: a bracketed name with attributes, or one that has a closing tag.
SHORTCODE = re.compile(r"\[([a-zA-Z][\w-]*)\s+[\w-]+=|\[/([a-zA-Z][\w-]*)\]")
MAX_REUSE_DEPTH = 3


def prepare(
    content: str,
    post_id: int,
    reusable: dict[int, str],
    attachments: dict[int, Attachment],
    problems: list[str],
) -> str:
    """The content as HTML; what cannot come along is added to `problems`."""
    is_classic = "<!-- wp:" not in content
    content = put_in_reusable_blocks(content, reusable, problems)
    content = BLOCK_COMMENT.sub(lambda match: drop_block_comment(match, problems), content)
    content = CAPTION.sub(caption_figure, content)
    content = GALLERY.sub(lambda match: gallery(match, post_id, attachments), content)
    content = EMBED.sub(lambda match: f"\n\n{html.unescape(match[1]).strip()}\n\n", content)
    content = MEDIA.sub(lambda match: media(match, problems), content)
    names = sorted({a or b for a, b in SHORTCODE.findall(content)})
    for name in names:
        problems.append(
            f"the shortcode [{name}] of a WordPress plugin is left in the text as it was written: "
            "edit or remove it"
        )
    return autop(content) if is_classic else content


def put_in_reusable_blocks(content: str, reusable: dict[int, str], problems: list[str]) -> str:
    for _ in range(MAX_REUSE_DEPTH):
        if '<!-- wp:block {"ref":' not in content:
            break
        content = re.sub(
            r'<!--\s*wp:block\s*\{"ref":(\d+)[^}]*\}\s*/-->',
            lambda match: reused(int(match[1]), reusable, problems),
            content,
        )
    return content


def reused(ref: int, reusable: dict[int, str], problems: list[str]) -> str:
    if ref not in reusable:
        problems.append(f"the reusable block {ref} is not in the export: left out")
    return reusable.get(ref, "")


def drop_block_comment(match: re.Match, problems: list[str]) -> str:
    closing, name, attributes, self_closing = match.groups()
    name = name.removeprefix("core/")
    if self_closing and name not in EMPTY_BLOCKS and name != "block":
        problems.append(
            f"the block {name!r} is drawn by WordPress when a page is shown and has no text in "
            "the export: left out"
        )
    if name == "embed" and not closing and attributes:
        # The URL is also in the block's own markup; this covers a block that lost its markup.
        url = str(json_or_empty(attributes).get("url", ""))
        return f"\n\n{url}\n\n" if self_closing and url.startswith("http") else ""
    return ""


def json_or_empty(text: str) -> dict:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def attributes_of(text: str) -> dict[str, str]:
    return {
        m[1].lower(): html.unescape(m[2] or m[3] or m[4] or "") for m in ATTRIBUTE.finditer(text)
    }


def caption_figure(match: re.Match) -> str:
    attributes = attributes_of(match[1])
    inner = CAPTIONED_IMAGE.fullmatch(match[2])
    if inner is None:
        return match[2]
    image, caption = inner[1], attributes.get("caption") or inner[2].strip()
    attachment = attributes.get("id", "").removeprefix("attachment_")
    data = f' data-attachment="{html.escape(attachment)}"' if attachment.isdigit() else ""
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure class="wp-caption"{data}>{image}{figcaption}</figure>'


def gallery(match: re.Match, post_id: int, attachments: dict[int, Attachment]) -> str:
    attributes = attributes_of(match[1])
    listed = attributes.get("ids") or attributes.get("include") or ""
    if listed:
        ids = [int(each) for each in re.findall(r"\d+", listed)]
    else:
        ids = sorted(a.id for a in attachments.values() if a.parent == post_id)
    figures = []
    for attachment_id in ids:
        found = attachments.get(attachment_id)
        url = found.url if found else ""
        alt, caption = (found.alt, found.caption) if found else ("", "")
        figcaption = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
        figures.append(
            f'<figure><img src="{html.escape(url)}" alt="{html.escape(alt)}"'
            f' class="wp-image-{attachment_id}">{figcaption}</figure>'
        )
    return f'\n\n<figure class="gallery">{"".join(figures)}</figure>\n\n'


def media(match: re.Match, problems: list[str]) -> str:
    attributes = attributes_of(match[2])
    sources = [value for key, value in attributes.items() if key != "poster"]
    sources += re.findall(r"https?://\S+", match[3] or "")
    for url in sources:
        if any(provider.url.fullmatch(url) for provider in PROVIDERS):
            return f"\n\n{url}\n\n"
    shown = next((url for url in sources if url.startswith("http")), "")
    problems.append(
        f"a [{match[1]}] ({shown or 'no address'}) is left out: the site plays no audio or video "
        "files of its own; link to it, or put it on a video or audio service and paste the link"
    )
    return ""


# wpautop(), as WordPress 6.1 has it, less its handling of <option>, <object> and media tags.
ALL_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form"
    r"|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside"
    r"|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)
TAG = re.compile(r"<[^>]*>")


def autop(text: str) -> str:
    """Paragraphs from blank lines and line breaks from newlines, as WordPress shows classic
    content."""
    if not text.strip():
        return ""
    text += "\n"
    pre_tags: dict[str, str] = {}
    if "<pre" in text:
        parts = text.split("</pre>")
        last = parts.pop()
        text = ""
        for number, part in enumerate(parts):
            start = part.find("<pre")
            if start == -1:
                text += part
                continue
            name = f"<pre wp-pre-tag-{number}></pre>"
            pre_tags[name] = part[start:] + "</pre>"
            text += part[:start] + name
        text += last
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text)
    text = re.sub(rf"(<{ALL_BLOCKS}[\s/>])", r"\n\n\1", text)
    text = re.sub(rf"(</{ALL_BLOCKS}>)", r"\1\n\n", text)
    text = re.sub(r"(<hr\s*?/?>)", r"\1\n\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Newlines inside tags are not line breaks.
    text = TAG.sub(lambda match: match[0].replace("\n", " <!-- wpnl --> "), text)
    if "<figcaption" in text:
        text = re.sub(r"\s*(<figcaption[^>]*>)", r"\1", text)
        text = re.sub(r"</figcaption>\s*", "</figcaption>", text)
    text = re.sub(r"\n\n+", "\n\n", text)
    chunks = [chunk for chunk in re.split(r"\n\s*\n", text) if chunk]
    text = "".join(f"<p>{chunk.strip(chr(10))}</p>\n" for chunk in chunks)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = re.sub(rf"<p>\s*(</?{ALL_BLOCKS}[^>]*>)\s*</p>", r"\1", text)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.I)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = re.sub(rf"<p>\s*(</?{ALL_BLOCKS}[^>]*>)", r"\1", text)
    text = re.sub(rf"(</?{ALL_BLOCKS}[^>]*>)\s*</p>", r"\1", text)
    text = re.sub(
        r"<(script|style|svg).*?</\1>",
        lambda m: m[0].replace("\n", "<WPPreserveNewline />"),
        text,
        flags=re.S,
    )
    text = text.replace("<br>", "<br />").replace("<br/>", "<br />")
    text = re.sub(r"(?<!<br />)\s*\n", "<br />\n", text)
    text = text.replace("<WPPreserveNewline />", "\n")
    text = re.sub(rf"(</?{ALL_BLOCKS}[^>]*>)\s*<br />", r"\1", text)
    text = re.sub(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", text)
    text = re.sub(r"\n</p>$", "</p>", text)
    for name, pre in pre_tags.items():
        text = text.replace(name, pre)
    return text.replace(" <!-- wpnl --> ", "\n").replace("<!-- wpnl -->", "\n")
