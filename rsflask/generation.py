"""The site's content generation: one number that every change readers could see moves on.

It is bumped in the same transaction as the change (a session event below), so a page kept by
the page cache (page_cache.py), which remembers the generation it was made at, is never served
once a change is committed.

A change readers cannot see leaves it alone, so that every cached page stays: a save of a draft,
of an article in review, or of a scheduled article that keeps its time (pages expire at the next
scheduled time by themselves, so a new or moved time must bump).
"""

from sqlalchemy import event, inspect, update
from sqlalchemy.orm import Session

from rsflask.db import utcnow
from rsflask.models import Article, Page, SiteState

# Tables readers never see: changing their rows leaves every page as it was.
UNSEEN_TABLES = {
    "rate_limit_hits",
    "revisions",
    "subscribers",
    "subscriber_tokens",
    "users",
    "ended_sign_ins",
    "digest_deliveries",
    "digest_attempts",
    "imported_items",
}
# An article or page in these is shown nowhere.
UNSHOWN = {"draft", "review"}


@event.listens_for(Session, "before_flush")
def _bump_on_flush(session: Session, flush_context, instances) -> None:
    changed = (*session.new, *session.dirty)
    if session.deleted or any(seen_by_readers(obj) for obj in changed):
        bump_generation(session)


def seen_by_readers(obj) -> bool:
    """Whether changing `obj` (new or changed, not deleted) may change a page."""
    if obj.__tablename__ in UNSEEN_TABLES:
        return False
    if isinstance(obj, Article | Page):
        return not stays_unseen(obj)
    return True


def stays_unseen(obj: Article | Page) -> bool:
    """A draft or one in review before and after; or scheduled, before and after, for the same
    time. A new one: as it is now."""
    state = inspect(obj)
    history = state.attrs.status.history
    before = history.deleted[0] if history.deleted else obj.status
    if before in UNSHOWN and obj.status in UNSHOWN:
        return True
    if not isinstance(obj, Article) or state.pending or not before == obj.status == "published":
        return False
    scheduled = obj.published_at is not None and obj.published_at > utcnow()
    return scheduled and not state.attrs.published_at.history.has_changes()


def bump_generation(session: Session) -> None:
    """Mark every cached page stale; for writes that bypass the ORM (bulk inserts)."""
    session.execute(
        update(SiteState).where(SiteState.id == 1).values(generation=SiteState.generation + 1)
    )
