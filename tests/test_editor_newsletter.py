"""The newsletter in the editor: subscribers with counts and search, CSV export and import, the
growth chart, and the next round-up's intro and choice of articles."""

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from flask import g
from sqlalchemy import insert, select

from rsflask.db import db, utcnow
from rsflask.editor import growth
from rsflask.models import Digest, Subscriber, User


@pytest.fixture(autouse=True)
def editor_tests(app):
    # The app fixture keeps one app context for the whole test; Flask-Login caches the user in
    # g, so every request must load it from its own session.
    app.config["WTF_CSRF_ENABLED"] = False

    @app.before_request
    def load_user_afresh() -> None:
        g.pop("_login_user", None)


def signed_in(client, role: str = "editor"):
    user = User(email=f"{role}@example.org", role=role, password_hash="x")
    db.session.add(user)
    db.session.commit()
    with client.session_transaction() as session:
        user.start_sign_in()
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


@pytest.fixture
def editor(client):
    return signed_in(client)


def add(email: str, status: str = "confirmed", **fields) -> Subscriber:
    subscriber = Subscriber(email=email, status=status, **fields)
    db.session.add(subscriber)
    db.session.commit()
    return subscriber


PAGES = [
    "/editor/newsletter",
    "/editor/newsletter/chart",
    "/editor/newsletter/import",
    "/editor/newsletter/digest",
    "/editor/newsletter/subscribers.csv",
]


@pytest.mark.parametrize("path", PAGES)
def test_newsletter_pages_are_for_editors_and_admins_only(client, path):
    assert client.get(path).status_code == 302
    signed_in(client, "writer")
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", ["editor", "admin"])
@pytest.mark.parametrize("path", PAGES)
def test_editors_and_admins_see_every_newsletter_page(client, path, role):
    assert signed_in(client, role).get(path).status_code == 200


def test_the_editor_menu_links_to_the_newsletter_for_editors_only(app, client):
    signed_in(client, "writer")
    assert ">Newsletter</a>" not in client.get("/editor/").get_data(as_text=True)
    editor = signed_in(app.test_client(), "editor")
    menu = editor.get("/editor/").get_data(as_text=True)
    assert 'href="/editor/newsletter">Newsletter</a>' in menu


# --- The list ------------------------------------------------------------------------------


def test_the_list_counts_by_status_filters_and_searches(editor):
    add("ann@example.org", "confirmed", signup_ip="192.0.2.1")
    add("bob@example.org", "confirmed")
    add("cat@example.net", "pending")
    add("dan@example.net", "unsubscribed", unsubscribed_at=utcnow())
    html = editor.get("/editor/newsletter").get_data(as_text=True)
    assert 'All <span class="count">(4)</span>' in html
    assert 'Confirmed <span class="count">(2)</span>' in html
    assert 'Pending <span class="count">(1)</span>' in html
    assert "from 192.0.2.1" in html

    confirmed = editor.get("/editor/newsletter?status=confirmed").get_data(as_text=True)
    assert "ann@example.org" in confirmed and "cat@example.net" not in confirmed
    found = editor.get("/editor/newsletter?q=EXAMPLE.NET").get_data(as_text=True)
    assert "cat@example.net" in found and "ann@example.org" not in found
    both = editor.get("/editor/newsletter?q=net&status=pending").get_data(as_text=True)
    assert "cat@example.net" in both and "dan@example.net" not in both
    wildcard = editor.get("/editor/newsletter?q=%25").get_data(as_text=True)
    assert "No subscribers here." in wildcard


def test_the_list_is_paginated(editor):
    rows = [{"email": f"r{n:03}@example.org", "status": "confirmed"} for n in range(60)]
    db.session.execute(insert(Subscriber), rows)
    db.session.commit()
    first = editor.get("/editor/newsletter").get_data(as_text=True)
    assert "Page 1 of 2" in first and first.count("@example.org</td>") == 50
    second = editor.get("/editor/newsletter?page=2").get_data(as_text=True)
    assert second.count("@example.org</td>") == 10


@pytest.mark.parametrize("query", ["status=bogus", "page=0", "page=x", "page=99999999999999"])
def test_bad_list_arguments_are_a_404(editor, query):
    assert editor.get(f"/editor/newsletter?{query}").status_code == 404


def test_an_editor_can_unsubscribe_someone_who_asked_by_email(editor):
    subscriber = add("asker@example.org")
    response = editor.post(f"/editor/newsletter/{subscriber.id}/unsubscribe")
    assert response.status_code == 303
    db.session.refresh(subscriber)
    assert subscriber.status == "unsubscribed" and subscriber.unsubscribed_at is not None
    assert editor.post("/editor/newsletter/999/unsubscribe").status_code == 404


# --- CSV export and import ----------------------------------------------------------------


def test_the_export_has_every_subscriber_and_their_consent_record(editor):
    signed = datetime(2026, 3, 1, 9, 30)
    add(
        "ann@example.org",
        signed_up_at=signed,
        signup_ip="192.0.2.1",
        confirmed_at=signed + timedelta(hours=1),
        confirm_ip="2001:db8::1",
    )
    add("=cmd@example.org", "pending", signed_up_at=signed)
    response = editor.get("/editor/newsletter/subscribers.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert "no-store" in response.headers["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == [
        "email",
        "status",
        "signed_up_at",
        "signup_ip",
        "confirmed_at",
        "confirm_ip",
        "unsubscribed_at",
    ]
    assert rows[1] == [
        "ann@example.org",
        "confirmed",
        "2026-03-01T09:30:00+00:00",
        "192.0.2.1",
        "2026-03-01T10:30:00+00:00",
        "2001:db8::1",
        "",
    ]
    # A spreadsheet would run a cell starting with "=" as a formula.
    assert rows[2][0] == "'=cmd@example.org"


def upload(client, text: str | bytes, name: str = "list.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        "/editor/newsletter/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_import_adds_new_rows_and_reports_each_refusal(editor):
    add("known@example.org", "unsubscribed", unsubscribed_at=utcnow())
    response = upload(
        editor,
        "Email,Status,signed_up_at,signup_ip,confirmed_at,confirm_ip,first_name\n"
        "New@Example.org,confirmed,2025-01-02T03:04:05Z,192.0.2.7,2025-01-02 04:00,,Ann\n"
        "plain@example.org,,,,,,\n"
        "waiting@example.org,pending,,,,,\n"
        "not an address,confirmed,,,,,\n"
        "known@example.org,confirmed,,,,,\n"
        "new@example.org,confirmed,,,,,\n"
        "odd@example.org,VIP,,,,,\n"
        "when@example.org,confirmed,last tuesday,,,,\n"
        "future@example.org,confirmed,2999-01-01,,,,\n"
        "where@example.org,confirmed,,localhost,,,\n",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 subscribers imported, 7 rows refused." in html
    assert "Columns ignored: first_name." in html
    for line, reason in [
        (5, "not a valid email address"),
        (6, "already on the list (left as it is)"),
        (7, "same address as line 2"),
        (8, "unknown status “vip”"),
        (9, "signed_up_at is not a date and time"),
        (10, "signed_up_at is in the future"),
        (11, "signup_ip is not an IP address"),
    ]:
        assert f"<tr><td>{line}</td>" in html and reason in html

    new = db.session.scalar(select(Subscriber).filter_by(email="new@example.org"))
    assert new.status == "confirmed" and new.imported_at is not None
    assert new.signed_up_at == datetime(2025, 1, 2, 3, 4, 5) and new.signup_ip == "192.0.2.7"
    assert new.confirmed_at == datetime(2025, 1, 2, 4, 0)
    plain = db.session.scalar(select(Subscriber).filter_by(email="plain@example.org"))
    assert plain.status == "confirmed" and plain.signed_up_at == plain.imported_at
    known = db.session.scalar(select(Subscriber).filter_by(email="known@example.org"))
    assert known.status == "unsubscribed" and known.imported_at is None


def test_times_with_no_utc_equivalent_are_refused_by_row(editor):
    response = upload(
        editor,
        "email,signed_up_at,confirmed_at\n"
        "first@example.org,0001-01-01T00:00:00+05:00,\n"
        "last@example.org,2025-01-01T00:00:00Z,9999-12-31T23:59:59-05:00\n"
        "old@example.org,0001-01-01T02:00:00Z,\n",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 subscriber imported, 2 rows refused." in html
    assert "<tr><td>2</td>" in html and "before the year 1 in UTC" in html
    assert "<tr><td>3</td>" in html and "after the year 9999 in UTC" in html
    assert db.session.scalars(select(Subscriber.email)).all() == ["old@example.org"]


def test_a_time_at_the_calendars_edge_is_listed_in_utc(app, editor):
    add("old@example.org", signed_up_at=datetime(1, 1, 1, 2, 0))
    app.config["TIMEZONE"] = "America/New_York"
    response = editor.get("/editor/newsletter")
    assert response.status_code == 200
    assert "January 1, 1</time>" in response.get_data(as_text=True)


def test_an_export_imports_back_as_it_was(editor):
    add("ann@example.org", signed_up_at=datetime(2026, 3, 1), signup_ip="192.0.2.1")
    add(
        "=cmd@example.org",
        "unsubscribed",
        signed_up_at=datetime(2026, 3, 2, 10, 11, 12),
        unsubscribed_at=datetime(2026, 4, 1),
    )
    exported = editor.get("/editor/newsletter/subscribers.csv").get_data()
    before = [
        (s.email, s.status, s.signed_up_at, s.signup_ip, s.unsubscribed_at)
        for s in db.session.scalars(select(Subscriber).order_by(Subscriber.email))
    ]
    db.session.execute(Subscriber.__table__.delete())
    db.session.commit()
    assert "2 subscribers imported, 0 rows refused." in upload(editor, exported).get_data(
        as_text=True
    )
    db.session.expire_all()
    after = [
        (s.email, s.status, s.signed_up_at, s.signup_ip, s.unsubscribed_at)
        for s in db.session.scalars(select(Subscriber).order_by(Subscriber.email))
    ]
    assert after == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,status\nann,confirmed\n", "one of them email"),
        ("", "one of them email"),
        ("email\nann@example.org\n".encode("utf-16"), "not UTF-8"),
        (b"email\n\xff\xfe\x00bad@example.org\n", "not UTF-8"),
        ("email\n" + "a" * 200_000 + "@example.org\n", "not valid CSV"),
    ],
    ids=["no-email-column", "empty", "utf-16", "binary", "huge-field"],
)
def test_a_file_that_cannot_be_read_is_refused_whole(editor, content, message):
    response = upload(editor, content)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalars(select(Subscriber)).all() == []


def test_an_import_without_a_file_asks_for_one(editor):
    response = editor.post("/editor/newsletter/import", data={})
    assert response.status_code == 422
    assert "Choose a CSV file to import." in response.get_data(as_text=True)


# --- The chart ------------------------------------------------------------------------------


def test_the_chart_is_an_accessible_svg_with_the_numbers_as_a_table(editor):
    now = utcnow()
    for number, days in enumerate((20, 10, 10, 3)):
        add(f"r{number}@example.org", confirmed_at=now - timedelta(days=days))
    left = {"confirmed_at": now - timedelta(days=15), "unsubscribed_at": now - timedelta(days=5)}
    add("left@example.org", "unsubscribed", **left)
    add("never@example.org", "pending")
    html = editor.get("/editor/newsletter/chart").get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html
    assert 'role="img" aria-labelledby="chart-title chart-desc"' in html
    assert '<title id="chart-title">Confirmed subscribers by day</title>' in html
    assert "the highest was 4" in html
    assert "<polyline points=" in html
    assert "<summary>The numbers as a table</summary>" in html
    # 21 days, from the first confirmation to today; 4 subscribers at the end.
    assert html.count("<tr><td><time") == 21
    assert html.rstrip().count("</td><td>4</td></tr>") >= 1


def test_the_chart_without_subscribers_says_so(editor):
    add("never@example.org", "pending")
    html = editor.get("/editor/newsletter/chart").get_data(as_text=True)
    assert "No confirmed subscribers yet" in html and "<svg" not in html


def test_growth_counts_each_period_and_picks_a_unit_for_the_span():
    now = datetime(2026, 11, 25, 12, 0)
    rows = [
        ("confirmed", None, now - timedelta(days=400), None, None),
        ("confirmed", None, now - timedelta(days=100), now - timedelta(days=200), None),
        ("unsubscribed", None, now - timedelta(days=300), now - timedelta(days=50), None),
        ("unsubscribed", None, None, now - timedelta(days=10), None),
        ("confirmed", now - timedelta(days=900), None, None, now - timedelta(days=1)),
    ]
    unit, points = growth.series(rows, now)
    assert unit == "month"
    assert points[0] == (datetime(2024, 6, 30).date(), 1)
    assert points[-1] == (now.date(), 3)
    assert max(count for _, count in points) == 4

    unit, points = growth.series(rows[:1], now - timedelta(days=400 - 70))
    assert unit == "week" and all(day.weekday() == 6 for day, _ in points[:-1])
    assert growth.series([], now) == ("day", [])


# --- The next round-up -----------------------------------------------------------------------


@pytest.fixture
def week(add_article):
    add_article("Old story", published=utcnow() - timedelta(days=30))
    return [add_article(f"Story {n}") for n in (1, 2, 3)]


def test_the_round_up_page_offers_this_weeks_articles_all_checked(editor, week):
    html = editor.get("/editor/newsletter/digest").get_data(as_text=True)
    checked = re.findall(r'<input checked id="articles-\d+" name="articles" type="checkbox"', html)
    assert len(checked) == 3
    for story in week:
        assert f'value="{story.id}"> <label for="articles-' in html and story.title in html
    assert "Old story" not in html
    assert "Nothing is saved yet" in html


def test_preview_shows_the_intro_and_choice_without_saving(editor, week):
    response = editor.post(
        "/editor/newsletter/digest",
        data={
            "subject": "Our pick",
            "intro": "Read <script>alert(1)</script> **this**.",
            "articles": [week[0].id],
            "preview": "Preview",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>this</strong>" in html and "<script>alert(1)</script>" not in html
    assert 'href="/articles/story-1"' in html and 'href="/articles/story-2"' not in html
    assert db.session.scalars(select(Digest)).all() == []


def test_saving_makes_the_draft_that_digest_send_sends(editor, week, runner, mail_server):
    response = editor.post(
        "/editor/newsletter/digest",
        data={"subject": " Our\npick ", "intro": "Hello.", "articles": [week[0].id, week[2].id]},
    )
    assert response.status_code == 303
    [draft] = db.session.scalars(select(Digest)).all()
    assert draft.status == "draft" and draft.subject == "Our pick"
    assert {a.title for a in draft.articles} == {"Story 1", "Story 3"}
    page = editor.get("/editor/newsletter/digest").get_data(as_text=True)
    assert "This round-up is saved" in page and f'value="{week[1].id}"' in page

    add("reader@example.org")
    result = runner.invoke(args=["digest", "send", "--rate", "0"])
    assert result.exit_code == 0, result.output
    [message] = mail_server.messages
    assert message["Subject"] == "Our pick"
    assert "Story 2" not in message.get_body(("html",)).get_content()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"subject": "S"}, "Choose at least one article."),
        ({"subject": "", "articles": ["ARTICLE"]}, "This field is required."),
        ({"subject": "S", "articles": ["999999"]}, "not a valid choice"),
        ({"subject": "S", "articles": ["x"]}, "Invalid choice"),
        ({"subject": "S" * 301, "articles": ["ARTICLE"]}, "300 characters"),
    ],
    ids=["no-article", "no-subject", "unknown-article", "not-a-number", "long-subject"],
)
def test_a_bad_round_up_form_is_refused_with_a_message(editor, week, data, error):
    if data.get("articles") == ["ARTICLE"]:
        data["articles"] = [str(week[0].id)]
    response = editor.post("/editor/newsletter/digest", data=data)
    assert response.status_code == 422
    assert error in response.get_data(as_text=True)
    assert db.session.scalars(select(Digest)).all() == []


def test_discarding_the_draft_goes_back_to_every_article(editor, week):
    editor.post("/editor/newsletter/digest", data={"subject": "S", "articles": [week[0].id]})
    assert editor.post("/editor/newsletter/digest/discard").status_code == 303
    assert db.session.scalars(select(Digest)).all() == []
