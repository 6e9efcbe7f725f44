"""Embeds: a paragraph that is only a link becomes a facade (or a link card), which loads nothing
from the provider until a reader asks; the page's CSP lets in exactly the players it may load."""

import re

import pytest

from rsflask import markup
from rsflask.embeds import frame_hosts
from tests.conftest import htmx
from tests.editor_helpers import make_user, prepare_editor_tests, sign_in

# One link of each provider, the player its facade must name, and that player's host.
PROVIDER_LINKS = [
    (
        "https://www.youtube.com/watch?v=Ab3_dE-9xYz&t=42",
        "YouTube",
        "https://www.youtube-nocookie.com/embed/Ab3_dE-9xYz?autoplay=1",
    ),
    (
        "https://youtu.be/Ab3_dE-9xYz",
        "YouTube",
        "https://www.youtube-nocookie.com/embed/Ab3_dE-9xYz?autoplay=1",
    ),
    (
        "https://vimeo.com/76979871",
        "Vimeo",
        "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1",
    ),
    (
        "https://x.com/crosswind/status/1790000000000000000",
        "X",
        "https://platform.twitter.com/embed/Tweet.html?id=1790000000000000000&dnt=true",
    ),
    (
        "https://twitter.com/crosswind/status/17900",
        "X",
        "https://platform.twitter.com/embed/Tweet.html?id=17900&dnt=true",
    ),
    (
        "https://bsky.app/profile/did:plc:abc123xyz/post/3kxyzabc",
        "Bluesky",
        "https://embed.bsky.app/embed/did:plc:abc123xyz/app.bsky.feed.post/3kxyzabc",
    ),
    (
        "https://mastodon.example/@crosswind/112233445566",
        "Mastodon",
        "https://mastodon.example/@crosswind/112233445566/embed",
    ),
    (
        "https://soundcloud.com/crosswind/episode-12",
        "SoundCloud",
        "https://w.soundcloud.com/player/?auto_play=true&url=https%3A%2F%2Fsoundcloud.com"
        "%2Fcrosswind%2Fepisode-12",
    ),
    (
        "https://open.spotify.com/episode/0aBcDeFgHiJkLmNoPqRsTu",
        "Spotify",
        "https://open.spotify.com/embed/episode/0aBcDeFgHiJkLmNoPqRsTu",
    ),
    (
        "https://podcasts.apple.com/gb/podcast/crosswind-talks/id1234567?i=1000650000000",
        "Apple Podcasts",
        "https://embed.podcasts.apple.com/gb/podcast/crosswind-talks/id1234567?i=1000650000000",
    ),
    (
        "https://datawrapper.dwcdn.net/Xy7Zq/2/",
        "Datawrapper",
        "https://datawrapper.dwcdn.net/Xy7Zq/2/",
    ),
    ("https://www.datawrapper.de/_/Xy7Zq/", "Datawrapper", "https://datawrapper.dwcdn.net/Xy7Zq/"),
    (
        "https://public.flourish.studio/visualisation/1234567/",
        "Flourish",
        "https://flo.uri.sh/visualisation/1234567/embed",
    ),
]


def facade(html: str) -> dict[str, str]:
    """The data attributes of the one embed in `html`, unescaped as a browser reads them."""
    from html import unescape

    figure = re.search(r"<figure ([^>]*)>", html)
    assert figure, html
    return {name: unescape(value) for name, value in re.findall(r'([\w-]+)="([^"]*)"', figure[1])}


@pytest.mark.parametrize(("url", "provider", "player"), PROVIDER_LINKS)
def test_a_link_alone_in_its_paragraph_becomes_the_providers_facade(app, url, provider, player):
    html = markup.render(f"Before.\n\n{url}\n\nAfter.")
    found = facade(html)
    assert found["data-provider"] == provider
    assert found["data-embed-src"] == player
    assert found["data-frame-hosts"] == player.split("/")[2]
    # The facade is a link to the provider's own page, which is all a feed or an email shows.
    assert f'href="{url.replace("&", "&amp;")}"' in html
    assert f'<span class="embed-provider">{provider}</span>' in html
    assert html.startswith("<p>Before.</p>") and html.endswith("<p>After.</p>")


def test_the_title_the_editor_gave_the_link_is_shown_and_names_the_player(app):
    html = markup.render("[Ministers on the grain deal](https://youtu.be/Ab3_dE-9xYz)")
    assert '<span class="embed-title">Ministers on the grain deal</span>' in html
    assert facade(html)["data-embed-title"] == "YouTube: Ministers on the grain deal"
    assert facade(html)["data-embed-button"] == "Play video"


def test_a_bluesky_link_with_a_handle_stays_a_card_that_opens_the_post(app):
    html = markup.render("https://bsky.app/profile/crosswind.example/post/3kxyzabc")
    assert facade(html)["data-provider"] == "Bluesky"
    assert "data-embed-src" not in html and frame_hosts(html) == set()


def test_any_other_link_alone_becomes_a_card_without_a_player(app):
    html = markup.render("[The ministry's report](https://example.org/reports/2026?lang=en&x=1)")
    assert html.startswith('<figure class="embed embed-card">')
    assert '<span class="embed-provider">example.org</span>' in html
    assert '<span class="embed-title">The ministry\u2019s report</span>' in html
    assert "data-embed-src" not in html


@pytest.mark.parametrize(
    "text",
    [
        "Watch https://youtu.be/Ab3_dE-9xYz today.",
        "> https://youtu.be/Ab3_dE-9xYz",
        "- https://youtu.be/Ab3_dE-9xYz",
        "[one](https://youtu.be/Ab3_dE-9xYz) and [two](https://vimeo.com/1)",
        "**https://youtu.be/Ab3_dE-9xYz**",
        "ftp://example.org/file",
        "mailto:desk@example.org",
    ],
)
def test_a_link_that_is_not_alone_in_a_top_level_paragraph_stays_as_written(app, text):
    assert "<figure" not in markup.render(text)


def test_a_link_to_a_provider_that_its_pattern_does_not_allow_is_a_plain_card(app):
    # An id of the wrong length, a path the player would not take: no player is made up.
    for url in ("https://youtu.be/short", "https://vimeo.com/channels/staff", "https://x.com/a/b"):
        html = markup.render(url)
        assert "embed-card" in html and "data-embed-src" not in html, url


# Aimed at the embed paths: the address, the title, the paragraph around them. None may bring a
# script, an event handler, a style, a javascript: URL or an htmx attribute into the page, and no
# player may be anything but one the provider table builds.
HOSTILE = [
    'https://youtu.be/Ab3_dE-9xYz"onmouseover="alert(1)',
    "https://youtu.be/Ab3_dE-9xYz'onfocus='alert(1)",
    "https://youtu.be/Ab3_dE-9xYz><script>alert(1)</script>",
    "https://youtu.be/Ab3_dE-9xYz?x=<img src=x onerror=alert(1)>",
    "[<img src=x onerror=alert(1)>](https://youtu.be/Ab3_dE-9xYz)",
    "[<script>alert(1)</script>](https://youtu.be/Ab3_dE-9xYz)",
    '[x" data-embed-src="https://evil.example/](https://youtu.be/Ab3_dE-9xYz)',
    '[t](https://youtu.be/Ab3_dE-9xYz "title\\" onmouseover=\\"alert(1)")',
    '<p><a href="https://youtu.be/Ab3_dE-9xYz" onclick="alert(1)">x</a></p>',
    '<p><a href="javascript:alert(1)">https://youtu.be/Ab3_dE-9xYz</a></p>',
    "[https://youtu.be/Ab3_dE-9xYz](javascript:alert(1))",
    "<javascript:alert(1)>",
    "https://evil.example/@x/1/embed?<script>",
    '<figure class="embed" data-embed-src="https://evil.example/">x</figure>',
    '<figure data-frame-hosts="evil.example"><a href="https://evil.example">x</a></figure>',
    '<div hx-get="/x" hx-trigger="load">https://youtu.be/Ab3_dE-9xYz</div>',
    '<p hx-get="/x">https://youtu.be/Ab3_dE-9xYz</p>',
    '<p data-hx-get="/x">https://youtu.be/Ab3_dE-9xYz</p>',
    '<p style="position:fixed">https://youtu.be/Ab3_dE-9xYz</p>',
    '<iframe src="https://www.youtube-nocookie.com/embed/Ab3_dE-9xYz"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<object data=https://evil.example/x.swf></object>",
    "<embed src=https://evil.example/x.swf>",
    "https://soundcloud.com/a/b%22%3E%3Cscript%3E",
    'https://open.spotify.com/track/0aBcDeFgHiJkLmNoPqRsTu?si="><script>alert(1)</script>',
    'https://podcasts.apple.com/gb/podcast/x"onload="alert(1)/id1',
    'https://datawrapper.dwcdn.net/Xy7Zq/2/" onload="alert(1)',
    'https://public.flourish.studio/visualisation/1/embed"><svg onload=alert(1)>',
    'https://bsky.app/profile/did:plc:x"onload="alert(1)/post/3k',
    'https://mastodon.example/@x/1" onload="alert(1)',
    "https://x.com/a/status/1?<style>body{display:none}</style>",
    "[<style>*{color:red}</style>](https://vimeo.com/1)",
    "&#104;ttps://youtu.be/Ab3_dE-9xYz",
    "https://youtu.be/Ab3_dE-9xYz\u2028<script>alert(1)</script>",
]
PLAYER_HOSTS = {player.split("/")[2] for _, _, player in PROVIDER_LINKS}


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_links_bring_no_script_handler_style_or_htmx_through_an_embed(app, text):
    html = markup.render(text).lower()
    assert "<script" not in html and "<iframe" not in html and "<style" not in html
    assert "<object" not in html and "<embed" not in html and "<svg" not in html
    assert not re.search(r"<[^>]*\son\w+=", html)
    assert " style=" not in html and "javascript:" not in html
    assert "hx-" not in html.replace("data-embed", "")
    for player in re.findall(r'data-embed-src="([^"]*)"', html):
        assert player.split("/")[2] in PLAYER_HOSTS and not re.search(r"[\s<>\"']", player)
    for host in frame_hosts(html):
        assert re.fullmatch(r"[a-z0-9.-]+", host), host


def test_an_article_with_embeds_lets_in_exactly_their_players(client, add_article):
    add_article(
        "Voices from the port",
        slug="voices",
        body="The harbour at dawn.\n\nhttps://youtu.be/Ab3_dE-9xYz\n\n"
        "https://datawrapper.dwcdn.net/Xy7Zq/2/\n\nhttps://example.org/elsewhere\n",
    )
    response = client.get("/articles/voices")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-src https://datawrapper.dwcdn.net https://www.youtube-nocookie.com" in policy
    assert policy.count("frame-src") == 1
    page = response.get_data(as_text=True)
    assert 'data-provider="YouTube"' in page and "embed-card" in page
    assert "js/embeds" in page


def test_a_page_without_embeds_lets_in_no_frame(client, add_article):
    add_article("Plain words", slug="plain")
    for url in ("/articles/plain", "/"):
        assert "frame-src" not in client.get(url).headers["Content-Security-Policy"]


def test_a_teaser_whose_rest_has_an_embed_lets_its_player_into_the_listing(client, add_article):
    """Keep reading swaps the rest into the front page, whose policy must then allow it."""
    body = "One.\n\nTwo.\n\nThree.\n\nFour.\n\nhttps://vimeo.com/76979871\n"
    add_article("Deep story", slug="deep", body=body)
    front = client.get("/")
    assert "frame-src https://player.vimeo.com" in front.headers["Content-Security-Policy"]
    rest = client.get("/articles/deep/more", headers=htmx())
    assert 'data-provider="Vimeo"' in rest.get_data(as_text=True)


def test_feeds_show_an_embed_as_a_link_naming_the_provider(client, add_article):
    add_article("Port talk", slug="port", body="Words.\n\nhttps://youtu.be/Ab3_dE-9xYz\n")
    feed = client.get("/feeds/all.atom").get_data(as_text=True)
    assert "https://www.youtube.com/watch" not in feed  # the link is as the editor wrote it
    assert "https://youtu.be/Ab3_dE-9xYz" in feed
    assert "YouTube" in feed
    assert "<iframe" not in feed and "&lt;iframe" not in feed


def test_the_editors_preview_shows_the_facade(app, client, monkeypatch):
    prepare_editor_tests(app, monkeypatch)
    make_user("editor@example.org")
    sign_in(client, "editor@example.org")
    response = client.post(
        "/editor/preview", data={"body": "https://youtu.be/Ab3_dE-9xYz"}, headers=htmx()
    )
    assert 'data-provider="YouTube"' in response.get_data(as_text=True)
