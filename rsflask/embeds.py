"""Embeds: a paragraph that is only a link becomes a card that loads nothing from elsewhere.

A link to a known provider (a video, a post, a podcast, a chart) becomes a facade: the
provider's name, the title the editor gave the link, the address, and an Open link, drawn by our
CSS. static/js/embeds.js adds a button that swaps in the provider's player when pressed, so a
reader's browser contacts the provider only after the reader asks. Any other link alone in its
paragraph becomes a plain link card. Without JavaScript, in feeds and in emails, either is a link
that names the provider.

This runs after the sanitiser, on its output, and writes markup that the sanitiser would refuse
from an editor (classes, data attributes): the player's address is built here from the parts of
the link that the provider's pattern allows (an id of letters and digits), never copied from
the text.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape, unescape
from urllib.parse import quote, urlsplit

from rsflask.stored_html import top_level_ends

# What every player may do: run its own scripts in its own origin, and open the provider's site
# in a new tab ("Watch on YouTube"). No forms, no top navigation, no downloads.
SANDBOX = "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"
MEDIA = "autoplay; encrypted-media; fullscreen; picture-in-picture"


@dataclass(frozen=True)
class Provider:
    name: str
    url: re.Pattern
    # The player's address from the link's match; None where the link alone cannot tell it.
    player: Callable[[re.Match], str | None]
    kind: str  # "video", "audio", "post" or "chart": the player's shape and the button's words
    allow: str = ""
    # Presentation too, for players that go full screen.
    sandbox: str = SANDBOX


def _bluesky_player(match: re.Match) -> str | None:
    # The embed names the post by the account's DID; a link with a handle would need a lookup
    # on Bluesky's servers first, so it stays a card that opens the post.
    actor = match["actor"]
    if not actor.startswith("did:"):
        return None
    return f"https://embed.bsky.app/embed/{actor}/app.bsky.feed.post/{match['post']}"


def _apple_player(match: re.Match) -> str:
    episode = f"?i={match['episode']}" if match["episode"] else ""
    return f"https://embed.podcasts.apple.com/{match['path']}{episode}"


def _datawrapper_player(match: re.Match) -> str:
    version = f"{match['version']}/" if match["version"] else ""
    return f"https://datawrapper.dwcdn.net/{match['id']}/{version}"


TRAILER = r"(?:[?#&/][^\s]*)?"
PROVIDERS = (
    Provider(
        "YouTube",
        re.compile(
            r"https?://(?:www\.|m\.)?(?:youtube\.com/(?:watch\?(?:[^#\s]*&)?v=|shorts/|live/|embed/)"
            r"|youtu\.be/)(?P<id>[A-Za-z0-9_-]{11})" + TRAILER
        ),
        lambda m: f"https://www.youtube-nocookie.com/embed/{m['id']}?autoplay=1",
        "video",
        MEDIA,
        SANDBOX + " allow-presentation",
    ),
    Provider(
        "Vimeo",
        re.compile(r"https?://(?:www\.)?vimeo\.com/(?:video/)?(?P<id>[0-9]{1,12})" + TRAILER),
        lambda m: f"https://player.vimeo.com/video/{m['id']}?dnt=1&autoplay=1",
        "video",
        MEDIA,
        SANDBOX + " allow-presentation",
    ),
    Provider(
        "X",
        re.compile(
            r"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/[A-Za-z0-9_]{1,15}/status/"
            r"(?P<id>[0-9]{1,20})" + TRAILER
        ),
        lambda m: f"https://platform.twitter.com/embed/Tweet.html?id={m['id']}&dnt=true",
        "post",
    ),
    Provider(
        "Bluesky",
        re.compile(
            r"https://bsky\.app/profile/(?P<actor>[A-Za-z0-9.:-]{1,253})/post/"
            r"(?P<post>[a-z0-9]{1,20})/?"
        ),
        _bluesky_player,
        "post",
    ),
    Provider(
        "SoundCloud",
        re.compile(
            r"https://(?:www\.|m\.)?soundcloud\.com/"
            r"(?P<path>[A-Za-z0-9_-]{1,100}/(?:sets/)?[A-Za-z0-9_-]{1,200})/?"
        ),
        lambda m: (
            "https://w.soundcloud.com/player/?auto_play=true&url="
            + quote(f"https://soundcloud.com/{m['path']}", safe="")
        ),
        "audio",
        "autoplay; encrypted-media",
    ),
    Provider(
        "Spotify",
        re.compile(
            r"https://open\.spotify\.com/(?:intl-[a-z-]{2,8}/)?"
            r"(?P<kind>track|album|playlist|episode|show)/(?P<id>[A-Za-z0-9]{22})" + TRAILER
        ),
        lambda m: f"https://open.spotify.com/embed/{m['kind']}/{m['id']}",
        "audio",
        "autoplay; encrypted-media; fullscreen; picture-in-picture",
    ),
    Provider(
        "Apple Podcasts",
        re.compile(
            r"https://podcasts\.apple\.com/(?P<path>[a-z]{2}/podcast/(?:[A-Za-z0-9%_-]{1,200}/)?"
            r"id[0-9]{1,15})(?:\?i=(?P<episode>[0-9]{1,20}))?"
        ),
        _apple_player,
        "audio",
        "autoplay; encrypted-media",
    ),
    Provider(
        "Datawrapper",
        re.compile(
            r"https://(?:datawrapper\.dwcdn\.net|www\.datawrapper\.de/_)/(?P<id>[A-Za-z0-9]{5})"
            r"(?:/(?P<version>[0-9]{1,4}))?/?"
        ),
        _datawrapper_player,
        "chart",
        "fullscreen",
    ),
    Provider(
        "Flourish",
        re.compile(
            r"https://(?:public\.flourish\.studio|flo\.uri\.sh)/(?P<kind>visualisation|story)/"
            r"(?P<id>[0-9]{1,12})/?(?:embed)?"
        ),
        lambda m: f"https://flo.uri.sh/{m['kind']}/{m['id']}/embed",
        "chart",
        "fullscreen",
    ),
    # Last: any server's /@name/123 is a Mastodon post (or a server that speaks its language).
    Provider(
        "Mastodon",
        re.compile(
            r"https://(?P<host>[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})+)/@(?P<user>[A-Za-z0-9_]{1,30})"
            r"/(?P<id>[0-9]{1,20})/?"
        ),
        lambda m: f"https://{m['host']}/@{m['user']}/{m['id']}/embed",
        "post",
    ),
)
BUTTON_WORDS = {"video": "Play video", "audio": "Play", "post": "Show post", "chart": "Show chart"}

# A top-level paragraph holding nothing but one address, bare or as a link (whose text, when it
# is not the address itself, is the title the editor gave it). nh3 writes attributes in this
# order, and adds the rel.
LINK_PARAGRAPH = re.compile(
    r"<p>\s*(?:(?P<bare>https?://[^\s<>\"]+)"
    r"|<a href=\"(?P<href>https?://[^\"]+)\"(?: title=\"[^\"]*\")?(?: rel=\"[^\"]*\")?>"
    r"(?P<text>[^<]*)</a>)\s*</p>"
)
FRAME_HOSTS = re.compile(r'data-frame-hosts="([^"]*)"')


def expand(html: str) -> str:
    """Sanitised HTML with each paragraph that is only a link made into an embed."""
    if "http" not in html:
        return html
    parts, start = [], 0
    for end in top_level_ends(html):
        block = html[start:end]
        match = LINK_PARAGRAPH.fullmatch(block.strip())
        # Blocks after the first begin with the newline that separated them: it stays.
        leading = block[: len(block) - len(block.lstrip())]
        parts.append(block if match is None else leading + _embed(match))
        start = end
    parts.append(html[start:])
    return "".join(parts)


def _embed(match: re.Match) -> str:
    url = unescape(match["bare"] or match["href"])
    text = unescape(match["text"] or "").strip()
    title = "" if text in ("", url) else text
    for provider in PROVIDERS:
        found = provider.url.fullmatch(url)
        if found:
            return _facade(provider, found, url, title)
    return _card(url, title)


def _shown_address(url: str) -> str:
    parts = urlsplit(url)
    shown = (parts.netloc.removeprefix("www.") + parts.path).rstrip("/")
    return shown if len(shown) <= 60 else shown[:59] + "…"


def _facade(provider: Provider, found: re.Match, url: str, title: str) -> str:
    player = provider.player(found)
    attributes = f'class="embed embed-{provider.kind}" data-provider="{escape(provider.name)}"'
    if player:
        host = urlsplit(player).hostname or ""
        label = f"{provider.name}: {title}" if title else f"{provider.name} {provider.kind}"
        attributes += (
            f' data-embed-src="{escape(player)}" data-embed-allow="{provider.allow}"'
            f' data-embed-sandbox="{provider.sandbox}" data-embed-title="{escape(label)}"'
            f' data-embed-button="{BUTTON_WORDS[provider.kind]}" data-frame-hosts="{host}"'
        )
    return f"<figure {attributes}>{_link(url, provider.name, title)}</figure>"


def _card(url: str, title: str) -> str:
    site = (urlsplit(url).hostname or "").removeprefix("www.")
    return f'<figure class="embed embed-card">{_link(url, site, title)}</figure>'


def _link(url: str, source: str, title: str) -> str:
    title_part = f'<span class="embed-title">{escape(title)}</span>' if title else ""
    return (
        f'<a class="embed-open" href="{escape(url)}" rel="noopener noreferrer">'
        f'<span class="embed-provider">{escape(source)}</span>{title_part}'
        f'<span class="embed-url">{escape(_shown_address(url))}</span></a>'
    )


def frame_hosts(html: str) -> set[str]:
    """The hosts whose players the embeds in `html` may load when a reader asks."""
    return {host for hosts in FRAME_HOSTS.findall(html) for host in hosts.split()}
