"""Storing redirects (`redirects.add`, what the importers call): one spelling for each old
address, final targets and no chains, loops and live addresses refused, re-runs idempotent."""

import pytest

from rsflask import redirect_paths, redirects
from rsflask.db import db
from rsflask.models import Redirect, SlugRedirect
from rsflask.redirects import RedirectRefused
from tests.page_helpers import make_page

SITE = "http://localhost"


def all_redirects() -> dict[str, str]:
    """{old path: target as an editor sees it} of every stored redirect."""
    return {r.old_path: redirects.target_text(r) for r in db.session.scalars(db.select(Redirect))}


@pytest.mark.parametrize(
    ("typed", "stored", "key"),
    [
        ("/2019/04/some-post/", "/2019/04/some-post/", "/2019/04/some-post"),
        ("2019/04/some-post", "/2019/04/some-post", "/2019/04/some-post"),
        ("  /tag/y/  ", "/tag/y/", "/tag/y"),
        ("/caf%c3%a9/", "/caf%C3%A9/", "/caf%C3%A9"),
        ("/café/", "/caf%C3%A9/", "/caf%C3%A9"),
        ("/%7Euser/a%2Db", "/~user/a-b", "/~user/a-b"),
        ("/100%-pure", "/100%25-pure", "/100%25-pure"),
        ("/a b", "/a%20b", "/a%20b"),
        ("/old?utm_source=x&page=2#top", "/old", "/old"),
        ("https://old.example/2019/04/x/?replytocom=5", "/2019/04/x/", "/2019/04/x"),
        ("/?p=123", "/?p=123", "/?p=123"),
        ("/?p=00123&utm_source=x", "/?p=123", "/?p=123"),
        ("https://old.example/?page_id=7", "/?page_id=7", "/?p=7"),
        ("/", "/", "/"),
    ],
)
def test_old_addresses_are_stored_in_one_spelling(typed, stored, key):
    assert redirect_paths.old_path(typed, SITE) == stored
    assert redirect_paths.match_key(stored) == key


@pytest.mark.parametrize(
    ("asked", "key"),
    [("/café/", "/caf%C3%A9"), ("/100%-pure", "/100%25-pure"), ("/a/b/", "/a/b"), ("/", "/")],
)
def test_a_request_path_decoded_by_the_server_gives_the_same_key(asked, key):
    assert redirect_paths.request_key(asked) == key


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("", "Give the old address"),
        ("/a\nb", "control characters"),
        ("javascript:alert(1)", "must be a path on this site"),
        ("/" + "x" * 1000, "longer than 1000"),
    ],
)
def test_unusable_old_addresses_are_refused_with_the_reason(app, typed, why):
    with pytest.raises(RedirectRefused, match=why) as refusal:
        redirects.add(typed, "/latest")
    assert refusal.value.field == "old_path"
    assert db.session.scalar(db.select(Redirect)) is None


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("javascript:alert(1)", "must be a path on this site"),
        ("data:text/html,hi", "must be a path on this site"),
        ("https://user:pass@evil.example/", "not a web address readers can be sent to"),
        ("https:///no-host", "not a web address readers can be sent to"),
        ("", "Give the target"),
    ],
)
def test_unusable_targets_are_refused_with_the_reason(app, typed, why):
    with pytest.raises(RedirectRefused, match=why):
        redirects.add("/old", typed)


def test_a_target_of_another_host_is_kept_as_written_and_this_sites_own_becomes_a_path(app):
    redirects.add("/shop/", "https://shop.example/books?ref=magazine")
    redirects.add("/cafe/", "https://café.example/menü")
    redirects.add("/old-latest", "http://localhost/latest?page=2#list")
    redirects.add("/slashes", "//evil.example/x")
    assert all_redirects() == {
        "/shop/": "https://shop.example/books?ref=magazine",
        # In ASCII, as a Location header must be.
        "/cafe/": "https://xn--caf-dma.example/men%C3%BC",
        "/old-latest": "/latest?page=2#list",
        # One leading slash: two would send a browser to another host.
        "/slashes": "/evil.example/x",
    }


def test_an_article_or_page_target_is_stored_as_itself_and_follows_its_moves(app, add_article):
    article = add_article("Grid politics")
    page = make_page("About us", slug="about")
    to_article = redirects.add("/2019/04/grid-politics/", "/articles/grid-politics")
    to_page = redirects.add("/about-us/", "/about", source="wordpress")
    assert (to_article.article_id, to_article.target_url) == (article.id, "")
    assert (to_page.page_id, to_page.source) == (page.id, "wordpress")
    article.slug, page.slug = "who-runs-the-grid", "who-we-are"
    db.session.commit()
    assert all_redirects() == {
        "/2019/04/grid-politics/": "/articles/who-runs-the-grid",
        "/about-us/": "/who-we-are",
    }


def test_an_article_or_page_can_be_given_as_itself(app, add_article):
    article = add_article("Draft piece", status="draft")
    stored = redirects.add("/?p=41", article, source="wordpress")
    assert stored.article is article and stored.old_path == "/?p=41"


def test_a_target_at_an_old_slug_is_stored_as_the_article_it_moved_to(app, client, add_article):
    article = add_article("First title")
    article.slug = "second-title"
    db.session.commit()
    db.session.add(SlugRedirect(old_slug="first-title", article_id=article.id))
    db.session.commit()
    stored = redirects.add("/2019/first-title/", "/articles/first-title")
    assert stored.article_id == article.id


def test_a_target_that_redirects_is_followed_when_saved(app, add_article):
    add_article("Brief", section="QIOSK", type="News")
    redirects.add("/b", "/latest")
    redirects.add("/a", "/b/")
    # A route's own permanent redirect is followed too: /sections/qiosk lives at /qiosk.
    redirects.add("/old-qiosk", "/sections/qiosk")
    assert all_redirects() == {"/b": "/latest", "/a": "/latest", "/old-qiosk": "/qiosk"}


def test_redirects_to_a_new_old_address_are_pointed_past_it(app):
    redirects.add("/a", "/b")
    redirects.add("/c/", "/b/")
    redirects.add("/b", "/latest")
    assert all_redirects() == {"/a": "/latest", "/c/": "/latest", "/b": "/latest"}


@pytest.mark.parametrize(
    ("chain", "last", "shown"),
    [
        ([], ("/a", "/a"), "/a → /a"),
        ([], ("/a/", "/a"), "/a/ → /a"),
        ([("/b", "/a")], ("/a", "/b"), "/a → /b → /a"),
        # /b was pointed past /c when /c was saved: one step, not two.
        ([("/b", "/c"), ("/c", "/a/")], ("/a", "/b/"), "/a → /b/ → /a/"),
        ([], ("/?p=5", "/?p=5&utm=x"), "/?p=5 → /?p=5"),
    ],
)
def test_a_loop_is_refused_naming_every_step(app, chain, last, shown):
    for old, target in chain:
        redirects.add(old, target)
    db.session.commit()
    before = all_redirects()
    with pytest.raises(RedirectRefused, match="loop") as refusal:
        redirects.add(*last)
    assert shown in str(refusal.value)
    db.session.rollback()
    assert all_redirects() == before


def test_a_slashless_live_page_is_a_target_for_its_slashed_old_address(app):
    make_page("About", slug="about")
    stored = redirects.add("/about/", "/about")
    assert stored.page is not None


@pytest.mark.parametrize(
    ("old_path", "why"),
    [
        ("/articles/live-story", "is a live address of the site (it answers 200)"),
        ("/about", "is a live address of the site (it answers 200)"),
        ("/latest", "is a live address of the site (it answers 200)"),
        ("/", "is a live address of the site (it answers 200)"),
        ("/feeds/all.atom", "is a live address of the site (it answers 200)"),
        ("/sections/qiosk", "already redirects (to /qiosk)"),
        ("/articles/old-story", "already redirects (to /articles/live-story)"),
        ("/editor/users", "already redirects (to /editor/sign-in"),
        ("/editor/sign-out", "is a live address of the site (it answers 405)"),
    ],
)
def test_an_old_address_the_site_answers_itself_is_refused(app, add_article, old_path, why):
    article = add_article("Live story")
    add_article("Brief", section="QIOSK", type="News")
    db.session.add(SlugRedirect(old_slug="old-story", article_id=article.id))
    make_page("About", slug="about")
    with pytest.raises(RedirectRefused, match=why.replace("(", r"\(").replace(")", r"\)")):
        redirects.add(old_path, "/latest")


def test_a_removed_or_unpublished_articles_address_may_redirect(app, add_article):
    removed = add_article("Removed story")
    removed.status = "trash"
    add_article("Draft story", status="draft")
    db.session.commit()
    redirects.add("/articles/removed-story", "/latest")
    redirects.add("/articles/draft-story", "/latest")
    assert len(all_redirects()) == 2


def test_adding_again_updates_the_same_redirect_and_keeps_its_hits(app):
    first = redirects.add("/2019/04/post/", "/latest", source="wordpress")
    first.hit_count = 7
    db.session.commit()
    # The same old address, written another way: the last spelling given is shown.
    again = redirects.add("https://old.example/2019/04/post", "/latest", source="wordpress")
    assert again is first and again.old_path == "/2019/04/post"
    changed = redirects.add("/2019/04/post/", "/search", status=302, source="feed")
    assert (changed.id, changed.target_url, changed.status) == (first.id, "/search", 302)
    assert (changed.hit_count, changed.source) == (7, "feed")
    assert db.session.scalar(db.select(db.func.count(Redirect.id))) == 1


def test_adding_the_same_redirect_again_changes_nothing(app):
    stored = redirects.add("/2019/04/post/", "/latest", source="wordpress")
    db.session.commit()
    updated_at = stored.updated_at
    redirects.add("/2019/04/post/", "/latest", source="feed")
    assert not db.session.is_modified(stored)
    assert (stored.updated_at, stored.source) == (updated_at, "wordpress")


def test_a_status_other_than_301_or_302_is_refused(app):
    with pytest.raises(RedirectRefused, match="301") as refusal:
        redirects.add("/old", "/latest", status=307)
    assert refusal.value.field == "status"


def test_a_changed_redirect_does_not_follow_what_it_used_to_say(app):
    changed = redirects.add("/a", "/b")
    db.session.commit()
    redirects.save(changed, "/c", "/a", 301, "editor")
    assert all_redirects() == {"/c": "/a"}


def test_a_target_with_a_query_is_kept_as_typed_without_running_its_view(app, monkeypatch):
    asked = []
    monkeypatch.setattr(redirects, "ask_the_site", lambda url: asked.append(url) or (404, None))
    redirects.add("/find/", "/search?q=grid")
    assert all_redirects() == {"/find/": "/search?q=grid"}
    # The search view would have counted a search against the rate limit.
    assert asked == ["/find/"]
