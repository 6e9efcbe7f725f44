"""Readable, stable URL slugs."""

import hashlib
import re
import unicodedata

from werkzeug.routing import BaseConverter

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_SLUG_LENGTH = 80


def slugify(text: str, fallback: str = "article") -> str:
    """'Analysis: Europe's gas, again' -> 'analysis-europes-gas-again'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = ascii_text.replace("'", "")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if not slug and text.strip():
        # Titles in scripts without a Latin spelling still get a stable slug of their own.
        slug = f"{fallback}-{hashlib.sha256(text.strip().encode()).hexdigest()[:10]}"
    return slug[:MAX_SLUG_LENGTH].rstrip("-") or fallback


def is_valid_slug(slug: str) -> bool:
    return len(slug) <= MAX_SLUG_LENGTH and SLUG_PATTERN.fullmatch(slug) is not None


class SlugConverter(BaseConverter):
    """`<slug:name>` in a route: anything that is not a well-formed slug is a 404 at once."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"
