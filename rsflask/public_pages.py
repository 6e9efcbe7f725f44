"""Which views answer every reader alike: `@public_page(query=...)`, where each is defined.

The declaration names the query arguments the view reads. Its 200 answers are marked public
(browsers and the shipped nginx may keep them), and the page cache (page_cache.py) keeps them
under a key holding those arguments and no others.
"""

import functools

from flask import current_app, make_response, request
from werkzeug.datastructures import ImmutableMultiDict


def public_page(query: tuple[str, ...] = ()):
    """Declare a view's answer the same for every reader, and the query arguments it reads.

    Its 200 answers are marked `Cache-Control: public` (browsers, the shipped nginx) and kept by
    the page cache, under a key holding these arguments and no others: `?utm_source=...` or a
    cache buster makes no new entry. While testing, reading any other argument raises, so a view
    that starts to read one cannot silently serve one page for every value of it.
    """
    declared = frozenset(query)

    def declare(view):
        @functools.wraps(view)
        def public_view(*args, **kwargs):
            if current_app.testing:
                request.args = DeclaredArgs(request.args, declared)
            response = make_response(view(*args, **kwargs))
            if response.status_code == 200:
                response.cache_control.public = True
            return response

        public_view.public_query = declared
        return public_view

    return declare


def declared_query() -> frozenset[str]:
    """The query arguments the current view declared (none for a view that is not public)."""
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "public_query", frozenset())


class DeclaredArgs(ImmutableMultiDict):
    """`request.args` of a public view while testing: an argument it did not declare raises."""

    def __init__(self, args, declared: frozenset[str]) -> None:
        super().__init__(args)
        self.declared = declared

    def check(self, key) -> None:
        if key not in self.declared:
            raise LookupError(
                f"{request.endpoint} reads ?{key}= but its @public_page declares only "
                f"{sorted(self.declared)}: the page cache would serve one page for every value"
            )

    def __getitem__(self, key):
        self.check(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        self.check(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        self.check(key)
        return super().getlist(key, type)

    def __contains__(self, key) -> bool:
        self.check(key)
        return super().__contains__(key)

    def __iter__(self):
        raise LookupError(f"{request.endpoint} reads every query argument: name those it needs")
