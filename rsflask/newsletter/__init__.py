"""The newsletter: signup with double opt-in, unsubscribe, the weekly round-up and its archive."""

# Each view module adds its routes to the blueprint when imported.
from rsflask.newsletter import archive, link_pages, signup  # noqa: F401
from rsflask.newsletter.blueprint import bp

__all__ = ["bp"]
