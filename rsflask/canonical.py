"""The canonical address an editor or an article file may give a piece first published elsewhere:
checked in one place, since it goes into every page's head and decides the sitemaps."""

from urllib.parse import urlsplit

PROBLEM = "Give the full address where it was first published, starting with https:// or http://."


def canonical_problem(value: str) -> str | None:
    """What is wrong with `value` as a canonical address, or None when it will do (or is empty).

    Only http and https with a host: a javascript: or data: address, or a relative one, would
    point search engines nowhere, or somewhere no one chose.
    """
    value = value.strip()
    if not value:
        return None
    if any(character.isspace() for character in value):
        return "An address has no spaces. " + PROBLEM
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        return "That is not a web address. " + PROBLEM
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return PROBLEM
    return None
