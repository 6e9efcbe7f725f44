"""The weekly round-up: preview, send, dry run, resuming after a failure part way (each subscriber
gets it exactly once, counted at the SMTP server), refusals, and a second sender."""

import os
import re
import signal
from collections import Counter
from datetime import timedelta
from itertools import pairwise

import pytest
from sqlalchemy import func, insert, select, update

from rsflask.db import db, utcnow
from rsflask.models import Digest, DigestDelivery, Subscriber, SubscriberToken
from rsflask.models.newsletter import DigestAttempt
from rsflask.newsletter import digest_delivery


def add_subscribers(count: int, status: str = "confirmed", prefix: str = "reader") -> list[str]:
    emails = [f"{prefix}{number:04}@example.org" for number in range(count)]
    db.session.execute(insert(Subscriber), [{"email": e, "status": status} for e in emails])
    db.session.commit()
    return emails


def deliveries() -> int:
    return db.session.scalar(select(func.count()).select_from(DigestDelivery))


def only_digest() -> Digest:
    db.session.expire_all()
    [digest] = db.session.scalars(select(Digest)).all()
    return digest


def send(runner, *options):
    return runner.invoke(args=["digest", "send", "--rate", "0", *options])


@pytest.fixture
def week(add_article):
    """Three articles published this week, and one from long ago."""
    add_article("Old story", published=utcnow() - timedelta(days=30))
    return [add_article(f"Story {n}", dek=f"Dek of story {n}.") for n in (1, 2, 3)]


def test_preview_prints_the_text_version_and_writes_the_html_one(runner, week, tmp_path):
    add_subscribers(2)
    result = runner.invoke(args=["digest", "preview"])
    assert result.exit_code == 0, result.output
    assert "Subject: The Crosswind Review: the week's round-up" in result.output
    assert "3 articles, 2 subscribers still to receive it" in result.output
    assert "Story 1" in result.output and "Dek of story 2." in result.output
    assert "http://localhost/articles/story-3" in result.output
    assert "Old story" not in result.output

    html_file = tmp_path / "next.html"
    result = runner.invoke(args=["digest", "preview", "--output", str(html_file)])
    assert result.exit_code == 0, result.output
    html = html_file.read_text()
    assert (
        html.startswith("<!doctype html>") and '<a href="http://localhost/articles/story-1"' in html
    )
    assert db.session.scalars(select(Digest)).all() == []


def test_send_reaches_every_confirmed_subscriber_once(runner, mail_server, week):
    add_subscribers(3)
    add_subscribers(2, "pending", prefix="pending")
    add_subscribers(2, "unsubscribed", prefix="gone")
    result = send(runner)
    assert result.exit_code == 0, result.output
    assert "3 sent, 0 refused" in result.output
    assert "The round-up has reached every subscriber." in result.output
    assert sorted(mail_server.recipients) == [f"reader{n:04}@example.org" for n in range(3)]

    message = mail_server.messages[0]
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"].startswith("The Crosswind Review: the week's round-up")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<http://localhost/newsletter/unsubscribe/")
    digest = only_digest()
    assert message["Message-ID"].startswith(f"<digest-{digest.id}.")
    links = {m["List-Unsubscribe"] for m in mail_server.messages}
    assert len(links) == 3, "each subscriber has a link of their own"
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    for story in week:
        assert story.title in html and f"http://localhost/articles/{story.slug}" in text
    assert "Old story" not in html

    assert digest.status == "sent" and digest.sent_at is not None and digest.sending_by == ""
    assert {a.title for a in digest.articles} == {"Story 1", "Story 2", "Story 3"}
    assert deliveries() == 3

    again = send(runner)
    assert again.exit_code == 0 and "nothing to send" in again.output
    assert len(mail_server.messages) == 3


def test_the_next_round_up_covers_only_what_was_published_since(
    runner, mail_server, week, add_article
):
    add_subscribers(1)
    send(runner)
    add_article("Story 4", published=utcnow())
    result = send(runner)
    assert result.exit_code == 0, result.output
    latest = mail_server.messages[-1].get_body(("html",)).get_content()
    assert "Story 4" in latest and "Story 1" not in latest


def test_the_unsubscribe_links_of_every_round_up_sent_keep_working(
    client, runner, mail_server, week, add_article
):
    add_subscribers(2)
    send(runner)
    add_article("Story 4", published=utcnow())
    send(runner)
    assert len(mail_server.messages) == 4
    links = [
        re.match(r"<http://localhost([^>]+)>", m["List-Unsubscribe"]).group(1)
        for m in mail_server.messages
    ]
    assert len(set(links)) == 4, "each copy of each round-up has a link of its own"
    # The first round-up's links, after the second went out, unsubscribe whom they were sent to.
    for message, link in zip(mail_server.messages[:2], links[:2], strict=True):
        assert client.post(link, data={"List-Unsubscribe": "One-Click"}).status_code == 200
        db.session.expire_all()
        status = db.session.scalar(select(Subscriber.status).filter_by(email=message["To"]))
        assert status == "unsubscribed"


def test_dry_run_sends_and_records_nothing(runner, mail_server, week):
    add_subscribers(5)
    result = send(runner, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run: 5 messages made, none sent, nothing recorded." in result.output
    assert mail_server.messages == [] and mail_server.connections == 0
    assert db.session.scalars(select(Digest)).all() == [] and deliveries() == 0
    assert db.session.scalars(select(SubscriberToken)).all() == []


def test_batch_size_sets_the_messages_per_connection(runner, mail_server, week):
    add_subscribers(20)
    result = send(runner, "--batch-size", "7")
    assert result.exit_code == 0, result.output
    assert len(mail_server.messages) == 20 and mail_server.connections == 3


@pytest.mark.parametrize(
    ("subscribers", "fail_at", "refusal"),
    [
        (500, 200, "451 4.3.0 Try again later"),
        (60, 25, "554 5.7.1 Transaction failed"),
        (60, 25, "421 4.3.2 Service shutting down"),
    ],
    ids=["500-451-at-200", "554", "421"],
)
def test_a_send_failing_part_way_resumes_and_each_gets_it_exactly_once(
    runner, mail_server, week, subscribers, fail_at, refusal
):
    emails = add_subscribers(subscribers)
    mail_server.refuse_from, mail_server.refusal = fail_at, refusal
    failed = send(runner, "--batch-size", "50")
    assert failed.exit_code == 1
    assert "Stopped:" in failed.output and "again to send to the others" in failed.output
    assert len(mail_server.recipients) == fail_at and deliveries() == fail_at
    digest = only_digest()
    assert digest.status == "sending" and digest.sending_by == ""

    mail_server.refuse_from = None
    resumed = send(runner, "--batch-size", "50")
    assert resumed.exit_code == 0, resumed.output
    assert f"{subscribers - fail_at} sent" in resumed.output
    assert Counter(mail_server.recipients) == Counter(emails)
    assert max(Counter(mail_server.recipients).values()) == 1
    assert only_digest().status == "sent" and deliveries() == subscribers


def test_a_connection_lost_part_way_resumes_exactly_once(runner, mail_server, week):
    emails = add_subscribers(60)
    mail_server.drop_from = 25
    failed = send(runner)
    assert failed.exit_code == 1 and "Stopped:" in failed.output
    assert deliveries() == 25
    mail_server.drop_from = None
    assert send(runner).exit_code == 0
    assert Counter(mail_server.recipients) == Counter(emails)


def test_ctrl_c_stops_after_recording_the_message_in_flight(runner, mail_server, week):
    emails = add_subscribers(60)

    def press_ctrl_c(message):
        if len(mail_server.messages) == 25:
            os.kill(os.getpid(), signal.SIGINT)

    mail_server.on_message = press_ctrl_c
    stopped = send(runner)
    assert stopped.exit_code == 0, stopped.output
    assert "Stopping after the message in flight" in stopped.output
    assert "Stopped. Run `flask digest send` again" in stopped.output
    assert len(mail_server.recipients) == 25 and deliveries() == 25
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler

    mail_server.on_message = None
    assert send(runner).exit_code == 0
    assert Counter(mail_server.recipients) == Counter(emails)
    assert only_digest().status == "sent"


def test_an_address_refused_for_good_is_recorded_and_not_retried(runner, mail_server, week):
    add_subscribers(4)
    mail_server.refused_recipients = {"reader0002@example.org": "550 5.1.1 No such mailbox"}
    result = send(runner)
    assert result.exit_code == 0, result.output
    assert "3 sent, 1 refused" in result.output
    refused = db.session.scalar(select(DigestDelivery).filter(DigestDelivery.refusal != ""))
    assert refused.refusal == "550 5.1.1 No such mailbox"
    assert only_digest().status == "sent"


def test_an_address_put_off_for_now_is_tried_again_on_the_next_run(runner, mail_server, week):
    add_subscribers(4)
    mail_server.refused_recipients = {"reader0001@example.org": "450 4.2.1 Mailbox busy"}
    first = send(runner)
    assert first.exit_code == 0, first.output
    assert "3 sent" in first.output and "1 put off by the mail server" in first.output
    assert only_digest().status == "sending"
    mail_server.refused_recipients = {}
    second = send(runner)
    assert "1 sent" in second.output and only_digest().status == "sent"
    assert Counter(mail_server.recipients)["reader0001@example.org"] == 1


def test_a_second_sender_waits_while_the_first_is_alive(runner, mail_server, week):
    add_subscribers(3)
    digest = Digest(subject="Week", status="sending", started_at=utcnow(), articles=week)
    digest.sending_by, digest.heartbeat_at = "otherhost:4242", utcnow()
    db.session.add(digest)
    db.session.commit()
    busy = send(runner)
    assert busy.exit_code == 1 and "Another `digest send` is sending" in busy.output
    assert "If it was killed, run this again in 2 minutes." in busy.output
    assert mail_server.messages == []

    # Its last sign of life is older than the lease: it died, and this run takes over.
    runner.app.config["DIGEST_LEASE_SECONDS"] = 45
    assert "run this again in 45 seconds" in send(runner).output
    digest.heartbeat_at = utcnow() - timedelta(seconds=50)
    db.session.commit()
    result = send(runner)
    assert result.exit_code == 0, result.output
    assert len(mail_server.messages) == 3


def test_a_sender_overtaken_before_its_first_message_sends_nothing(
    runner, mail_server, week, monkeypatch
):
    """Making the copy took longer than the lease (a busy machine): another run took the
    round-up over meanwhile, and this one must not send a single copy after it."""
    add_subscribers(3)
    make_copy = digest_delivery.edition

    def slow_edition(digest):
        copy = make_copy(digest)
        db.session.execute(
            update(Digest).where(Digest.id == digest.id).values(sending_by="otherhost:4242")
        )
        db.session.commit()
        return copy

    monkeypatch.setattr(digest_delivery, "edition", slow_edition)
    overtaken = send(runner)
    assert overtaken.exit_code == 1 and "took this round-up over" in overtaken.output
    assert mail_server.messages == []
    assert deliveries() == 0


def test_only_one_round_up_can_be_sending_at_a_time(week):
    from sqlalchemy.exc import IntegrityError

    db.session.add(Digest(subject="One", status="sending"))
    db.session.commit()
    db.session.add(Digest(subject="Two", status="sending"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_editors_draft_is_what_gets_sent(runner, mail_server, week):
    add_subscribers(2)
    draft = Digest(subject="Our pick", intro_md="Read **this** first.", articles=[week[1]])
    db.session.add(draft)
    db.session.commit()
    result = send(runner)
    assert result.exit_code == 0, result.output
    message = mail_server.messages[0]
    assert message["Subject"] == "Our pick"
    html = message.get_body(("html",)).get_content()
    assert "<p>Read <strong>this</strong> first.</p>" in html
    assert "Story 2" in html and "Story 1" not in html
    assert "Read **this** first." in message.get_body(("plain",)).get_content()


def test_an_article_taken_down_before_the_send_is_left_out(runner, mail_server, week):
    add_subscribers(1)
    week[0].status = "trash"
    db.session.commit()
    send(runner)
    assert "Story 1" not in mail_server.messages[0].get_body(("html",)).get_content()
    assert {a.title for a in only_digest().articles} == {"Story 2", "Story 3"}


def test_nothing_published_means_nothing_sent(runner, mail_server):
    add_subscribers(2)
    result = send(runner)
    assert result.exit_code == 0 and "nothing to send" in result.output
    assert mail_server.messages == [] and db.session.scalars(select(Digest)).all() == []
    preview = runner.invoke(args=["digest", "preview"])
    assert "`digest send` sends nothing" in preview.output


def test_the_mail_server_down_at_the_start_leaves_the_round_up_to_resume(runner, week):
    add_subscribers(2)
    result = send(runner)
    assert result.exit_code == 1 and "Connection refused" in result.output
    digest = only_digest()
    assert digest.status == "sending" and deliveries() == 0


# --- The archive ---------------------------------------------------------------------------


def test_the_archive_lists_sent_round_ups_and_shows_each(client, runner, mail_server, week):
    add_subscribers(1)
    db.session.add(Digest(subject="Our pick", intro_md="An *intro*.", articles=week[:2]))
    db.session.commit()
    send(runner)
    db.session.add(Digest(subject="Next week's draft", articles=week[2:]))
    db.session.commit()

    listing = client.get("/newsletter/archive").get_data(as_text=True)
    assert "Our pick" in listing and "Next week's draft" not in listing
    sent = db.session.scalar(select(Digest).filter_by(subject="Our pick"))
    page = client.get(f"/newsletter/archive/{sent.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<h1>Our pick</h1>" in html and "<em>intro</em>" in html
    assert 'href="/articles/story-1"' in html and "Story 3" not in html

    draft = db.session.scalar(select(Digest).filter_by(status="draft"))
    assert client.get(f"/newsletter/archive/{draft.id}").status_code == 404


@pytest.mark.parametrize("path", ["/newsletter/archive/999", "/newsletter/archive/x"])
def test_an_unknown_round_up_is_a_404(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("page", ["0", "2", "abc", "-1", "99999999999999999999"])
def test_a_bad_archive_page_is_a_404(client, page):
    assert client.get(f"/newsletter/archive?page={page}").status_code == 404


def test_an_empty_archive_says_so(client):
    html = client.get("/newsletter/archive").get_data(as_text=True)
    assert "No round-up has been sent yet." in html


class FakeClock:
    """Stands in for the time module in digest_delivery.py: sleeping moves the clock, instantly."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sends: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.mark.parametrize(("options", "interval"), [(["--rate", "4"], 0.25), ([], 0.5)])
def test_the_rate_spaces_the_messages(
    app, runner, mail_server, week, monkeypatch, options, interval
):
    from rsflask.newsletter import digest_delivery

    app.config["DIGEST_RATE"] = 2
    clock = FakeClock()
    monkeypatch.setattr(digest_delivery, "time", clock)
    mail_server.on_message = lambda message: clock.sends.append(clock.now)
    add_subscribers(5)
    result = runner.invoke(args=["digest", "send", *options])
    assert result.exit_code == 0, result.output
    gaps = [later - earlier for earlier, later in pairwise(clock.sends)]
    assert gaps == [pytest.approx(interval)] * 4


# --- Refusals: put off, refused at DATA, and a server refusing everything ------------------


def delivery_of(email: str) -> DigestDelivery | None:
    return db.session.scalar(
        select(DigestDelivery).join(Subscriber).where(Subscriber.email == email)
    )


def test_an_address_always_put_off_counts_as_refused_after_the_last_attempt(
    app, runner, mail_server, week, add_article
):
    add_subscribers(3)
    full = "reader0001@example.org"
    mail_server.refused_recipients = {full: "452 4.2.2 Mailbox full"}
    for run in range(1, app.config["DIGEST_MAX_ATTEMPTS"]):
        result = send(runner)
        assert result.exit_code == 0, result.output
        assert "1 put off by the mail server" in result.output
        assert only_digest().status == "sending" and delivery_of(full) is None
        attempt = db.session.scalar(select(DigestAttempt))
        assert (attempt.attempts, attempt.answer) == (run, "452 4.2.2 Mailbox full")

    last = send(runner)
    assert last.exit_code == 0, last.output
    assert "0 sent, 1 refused" in last.output
    assert "The round-up has reached every subscriber." in last.output
    assert only_digest().status == "sent"
    assert delivery_of(full).refusal == "Not taken in 3 runs; last answer: 452 4.2.2 Mailbox full"
    assert full not in mail_server.recipients and len(mail_server.recipients) == 2

    # The next round-up is not held up by it.
    add_article("Story 4", published=utcnow())
    result = send(runner)
    assert result.exit_code == 0, result.output
    assert "Story 4" in mail_server.messages[-1].get_body(("html",)).get_content()
    assert len(mail_server.recipients) == 4


@pytest.mark.parametrize(
    "answer", ["554 5.7.1 Message rejected as spam", "552 5.3.4 Message too big for system"]
)
def test_a_message_refused_at_data_is_recorded_and_the_send_goes_on(
    runner, mail_server, week, answer
):
    emails = add_subscribers(5)
    mail_server.refused_at_data = {"reader0001@example.org": answer}
    result = send(runner)
    assert result.exit_code == 0, result.output
    assert "4 sent, 1 refused" in result.output
    assert only_digest().status == "sent"
    assert delivery_of("reader0001@example.org").refusal == answer
    assert sorted(mail_server.recipients) == [e for e in emails if e != "reader0001@example.org"]
    # The rest went over a fresh connection: a server may drop one after refusing its data.
    assert mail_server.connections == 2

    again = send(runner)
    assert "nothing to send" in again.output and len(mail_server.recipients) == 4


def test_a_server_refusing_everyone_stops_the_run_and_refuses_no_address(runner, mail_server, week):
    emails = add_subscribers(12)
    mail_server.refused_recipients = dict.fromkeys(emails, "554 5.7.1 Relay access denied")
    failed = send(runner)
    assert failed.exit_code == 1
    assert "Stopped: The mail server refused 5 messages in a row" in failed.output
    assert "554 5.7.1 Relay access denied" in failed.output
    assert deliveries() == 0 and only_digest().status == "sending"

    mail_server.refused_recipients = {}
    resumed = send(runner)
    assert resumed.exit_code == 0, resumed.output
    assert "12 sent, 0 refused" in resumed.output
    assert Counter(mail_server.recipients) == Counter(emails)


def test_a_run_of_addresses_refused_for_good_cannot_block_the_round_up(
    app, runner, mail_server, week
):
    emails = add_subscribers(8)
    bad = emails[:5]
    mail_server.refused_at_data = dict.fromkeys(bad, "550 5.1.1 Mailbox unavailable")
    for _ in range(app.config["DIGEST_MAX_ATTEMPTS"] - 1):
        # Five refusals in a row look like a failing server: nothing is held against them yet.
        failed = send(runner)
        assert failed.exit_code == 1 and "5 messages in a row" in failed.output
        assert deliveries() == 0
    last = send(runner)
    assert last.exit_code == 0, last.output
    assert "3 sent, 5 refused" in last.output and only_digest().status == "sent"
    assert sorted(mail_server.recipients) == emails[5:]
    assert delivery_of(bad[0]).refusal.endswith("last answer: 550 5.1.1 Mailbox unavailable")


def test_send_shows_its_progress_up_to_the_full_count(runner, mail_server, week, monkeypatch):
    import click._termui_impl

    # The bar is drawn only on a terminal; the test runner's output is none.
    monkeypatch.setattr(click._termui_impl, "isatty", lambda stream: True)
    add_subscribers(7)
    result = send(runner, "--batch-size", "3")
    assert result.exit_code == 0, result.output
    frames = [frame.strip() for frame in result.output.split("\r") if "Sending" in frame]
    assert frames[0].startswith("Sending  [") and "0/7" in frames[0]
    assert [f"{n}/7" in frame for n, frame in enumerate(frames)] == [True] * 8
    assert frames[-1].startswith("Sending  [" + "#" * 36 + "]  7/7")


# --- What a round-up covers ------------------------------------------------------------------


def test_articles_published_after_the_draft_was_saved_go_in_the_next_round_up(
    runner, mail_server, week, add_article
):
    add_subscribers(1)
    saved_at = utcnow() - timedelta(minutes=30)
    db.session.add(Digest(subject="Our pick", articles=week[:2], chosen_at=saved_at))
    db.session.commit()
    add_article("Late story", published=utcnow() - timedelta(minutes=10))

    notice = "1 article was published since the draft was saved: not in this round-up"
    assert notice in runner.invoke(args=["digest", "preview"]).output
    result = send(runner)
    assert result.exit_code == 0 and notice in result.output
    html = mail_server.messages[-1].get_body(("html",)).get_content()
    assert "Story 1" in html and "Late story" not in html

    # The next round-up covers what came out after the draft was saved, not after it was sent.
    result = send(runner)
    assert result.exit_code == 0, result.output
    assert "1 article, 1 subscriber" in result.output
    html = mail_server.messages[-1].get_body(("html",)).get_content()
    assert "Late story" in html and "Story 1" not in html and "Story 3" not in html


def test_the_editor_page_says_what_was_published_since_the_draft_was_saved(
    app, client, week, add_article, monkeypatch
):
    from tests.editor_helpers import make_user, prepare_editor_tests, sign_in

    prepare_editor_tests(app, monkeypatch)
    sign_in(client, make_user("editor@example.org").email)
    saved_at = utcnow() - timedelta(minutes=30)
    db.session.add(Digest(subject="Our pick", articles=week[:1], chosen_at=saved_at))
    db.session.commit()
    late = [add_article(f"Late {n}", published=utcnow() - timedelta(minutes=n)) for n in (5, 6)]

    page = client.get("/editor/newsletter/digest").get_data(as_text=True)
    assert "2 articles were published since this round-up was saved" in page
    for article in late:
        assert f'value="{article.id}"' in page

    ids = [week[0].id, late[0].id]
    client.post("/editor/newsletter/digest", data={"subject": "Our pick", "articles": ids})
    page = client.get("/editor/newsletter/digest").get_data(as_text=True)
    assert "published since this round-up was saved" not in page
    assert only_digest().chosen_at > saved_at
