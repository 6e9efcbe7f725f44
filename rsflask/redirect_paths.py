"""Old addresses and targets of redirects as the redirects table keeps them: one spelling each,
however it was typed, pasted from a browser or asked for.

An old path is kept with a leading slash, without its query string or fragment, percent-encoded
one way (decoded once, then encoded again: only what must be, with upper-case hex), and with its
trailing slash as given. Requests are matched on it without the trailing slash (`match_key`), so
/old and /old/ are one redirect. One query survives: WordPress's /?p=123 names a post by its id,
and so does /?page_id=123 (posts and pages share the numbers), so both are the key /?p=123; the
front page asks for it (reader.index), since "/" itself is a live page.
"""

import re
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from werkzeug.urls import iri_to_uri

# What a path may carry unencoded besides letters, digits and -._~ (RFC 3986's pchar, and "/").
PATH_SAFE = "/!$&'()*+,;=:@"
# A target's query and fragment are kept as written: their escapes (%) too.
QUERY_SAFE = PATH_SAFE + "?%"
# WordPress's post-id arguments, read on the site's root only.
OLD_QUERY_ARGUMENTS = ("p", "page_id")
MAX_LENGTH = 1000
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
WEB_ADDRESS = re.compile(r"https?://", re.IGNORECASE)
ANY_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)
# WordPress pages its archives (and long posts) as <address>/page/2/.
ARCHIVE_PAGE = re.compile(r"(.+)/page/[0-9]{1,6}/?")


class BadAddress(ValueError):
    """An old path or target that cannot be stored; the message says why, for an editor."""


def old_path(text: str, site_url: str) -> str:
    """The old address `text` as stored. A full address (https://old.example/2019/x/) gives its
    path; on this site's own host, below the site's mount point."""
    path, query, _ = split(text, site_url, "old address")
    args = dict(parse_qsl(query))
    if path == "/" and (post_id := old_post_id(args)):
        name = next(name for name in OLD_QUERY_ARGUMENTS if name in args)
        return f"/?{name}={post_id}"
    return path


def match_key(stored: str) -> str:
    """What a stored old path is matched on: without its trailing slash; /?p=N for a post id."""
    if stored.startswith("/?"):
        return f"/?p={stored.partition('=')[2]}"
    return stored.rstrip("/") or "/"


def request_key(path: str) -> str:
    """The key of a request's path, which the server has already percent-decoded once."""
    return match_key(quote(path, safe=PATH_SAFE))


def archive_key(key: str) -> str | None:
    """The key of the listing an archive page belongs to: /category/x for /category/x/page/3."""
    found = ARCHIVE_PAGE.fullmatch(key)
    return found.group(1) if found else None


def old_post_id(args) -> str | None:
    """A WordPress post id given as ?p= or ?page_id= in `args` (a mapping), without its zeros."""
    for name in OLD_QUERY_ARGUMENTS:
        value = args.get(name, "")
        if value.isascii() and value.isdigit() and len(value) <= 20:
            return str(int(value))
    return None


def target(text: str, site_url: str) -> str:
    """A target as stored: a path on this site, query and fragment kept; or the address of
    another site, http or https only, as written but in ASCII (a header carries it)."""
    text = text.strip()
    if WEB_ADDRESS.match(text) and not on_this_site(text, site_url):
        parts = urlsplit(text)
        if not parts.hostname or "@" in parts.netloc or re.search(r"\s", text):
            raise BadAddress(f"“{text[:80]}” is not a web address readers can be sent to.")
        text = iri_to_uri(text)
        if len(text) > MAX_LENGTH:
            raise BadAddress(f"The target is longer than {MAX_LENGTH} characters.")
        return text
    path, query, fragment = split(text, site_url, "target")
    kept = path
    if query:
        kept += "?" + quote(query, safe=QUERY_SAFE)
    if fragment:
        kept += "#" + quote(fragment, safe=QUERY_SAFE)
    if len(kept) > MAX_LENGTH:
        raise BadAddress(f"The target is longer than {MAX_LENGTH} characters.")
    return kept


def on_this_site(address: str, site_url: str) -> bool:
    return urlsplit(address).netloc.lower() == urlsplit(site_url).netloc.lower()


def split(text: str, site_url: str, what: str) -> tuple[str, str, str]:
    """The normalised path, and the query and fragment as typed, of an old address or target."""
    text = text.strip()
    if not text:
        raise BadAddress(f"Give the {what}, such as /2019/04/an-old-post/.")
    if CONTROL.search(text):
        raise BadAddress(f"The {what} holds control characters (a line break?).")
    if WEB_ADDRESS.match(text):
        parts = urlsplit(text)
        path, query, fragment = parts.path or "/", parts.query, parts.fragment
        if on_this_site(text, site_url):
            mount = urlsplit(site_url).path.rstrip("/")
            if mount and (path == mount or path.startswith(mount + "/")):
                path = path.removeprefix(mount) or "/"
    elif ANY_SCHEME.match(text) and not text.startswith("/"):
        raise BadAddress(
            f"The {what} must be a path on this site (such as /about) or a web address "
            "(https://...), not “" + text[:80] + "”."
        )
    else:
        rest, _, fragment = text.partition("#")
        path, _, query = rest.partition("?")
    # One leading slash: "//host/x" would take a browser to another host.
    path = "/" + path.lstrip("/")
    path = quote(unquote(path, errors="replace"), safe=PATH_SAFE)
    if len(path) > MAX_LENGTH:
        raise BadAddress(f"The {what} is longer than {MAX_LENGTH} characters.")
    return path, query, fragment
