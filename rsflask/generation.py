"""The site's content generation: one number that every change readers could see moves on.

It is bumped in the same transaction as the change (a session event below), so a page kept by
the page cache (page_cache.py), which remembers the generation it was made at, is never served
once a change is committed.
"""

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from rsflask.models import SiteState

# Tables readers never see: changing their rows leaves every page as it was.
UNSEEN_TABLES = {"rate_limit_hits", "revisions", "subscribers", "users", "digest_deliveries"}


@event.listens_for(Session, "before_flush")
def _bump_on_flush(session: Session, flush_context, instances) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(obj.__tablename__ not in UNSEEN_TABLES for obj in changed):
        bump_generation(session)


def bump_generation(session: Session) -> None:
    """Mark every cached page stale; for writes that bypass the ORM (bulk inserts)."""
    session.execute(
        update(SiteState).where(SiteState.id == 1).values(generation=SiteState.generation + 1)
    )
