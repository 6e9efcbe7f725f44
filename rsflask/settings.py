"""Default settings. instance/config.py and RSFLASK_* environment variables override them.

Each setting has a comment of its own, just above it: the table in docs/settings.md is made from
these comments (python scripts/settings_reference.py), so write them for that table too.

SITE_NAME, SITE_TAGLINE, SITE_DESCRIPTION, SOCIAL_LINKS, DONATE_URL and NEWSLETTER_BLURB are
editorial: they are a new site's first values, and once an admin saves the Settings page
(/editor/settings) that page rules them (site_settings.py).
"""

# The publication's name, used in titles, the masthead and feeds.
SITE_NAME = "The Crosswind Review"
# One line under the masthead and the default meta description.
SITE_TAGLINE = "Foreign policy, read slowly."
# What the site is about in a sentence or two: the front page's description for search engines
# and link previews.
SITE_DESCRIPTION = "An independent magazine of foreign policy: long reads, analysis, short news."
# The site's public address, for links made outside a request (emails, command output); its
# path is where the site is mounted (https://example.org/review), whatever SCRIPT_NAME the
# server passes (proxies.py).
SITE_URL = "http://127.0.0.1:5000"
# IANA time zone in which dates are shown and imported times are read.
TIMEZONE = "UTC"
# Language and territory of the articles, as link previews read it (Open Graph's og:locale).
LOCALE = "en_GB"
# The "follow us" links: a list of [name, url] pairs (JSON in the environment). The defaults are
# examples, to be replaced.
SOCIAL_LINKS = [
    ["Mastodon", "https://mastodon.example/@crosswind"],
    ["Bluesky", "https://bsky.example/profile/crosswind"],
    ["LinkedIn", "https://linkedin.example/company/crosswind"],
    ["RSS", "/feeds/all.atom"],
]
# Address of the donation page the masthead's "Donate" button leads to; None: no button.
DONATE_URL = None
# What the newsletter block on reader pages says above its signup form.
NEWSLETTER_BLURB = (
    "Subscribe to our weekly round-up: the week's analysis, in your inbox every Friday."
)
# Database URL, e.g. postgresql+psycopg://user@host/db. None means SQLite in the instance folder
# (instance/rsflask.sqlite3).
SQLALCHEMY_DATABASE_URI = None
# Secret that signs sessions and CSRF tokens; never hard-code it. None means generated once into
# instance/secret_key.
SECRET_KEY = None
# Seconds a form's CSRF token lasts. None: as long as the session (Flask-WTF's default is an
# hour), because an editor's form left open over lunch must still save.
WTF_CSRF_TIME_LIMIT = None
# Slug of the section whose short items make up the QIOSK stream.
QIOSK_SECTION = "qiosk"
# Articles per page on listings.
ARTICLES_PER_PAGE = 12
# Items per step of the LATEST list.
LATEST_PER_PAGE = 8
# How many top-level blocks (paragraphs, lists...) a teaser shows before "Keep reading".
TEASER_BLOCKS = 2
# Largest request body in bytes (photo uploads included); larger requests get 413.
MAX_CONTENT_LENGTH = 16 * 1024 * 1024
# Largest request body of the Settings page's form: there a file that takes the files past
# MAX_CONTENT_LENGTH is dropped as it arrives and refused next to its field, with the form kept
# as typed; larger bodies get 413. nginx's client_max_body_size for /editor/settings matches it.
LARGE_FORM_CONTENT_LENGTH = 64 * 1024 * 1024
# Largest non-file form field in bytes; Flask's own default (500 KB) is too small for long articles.
MAX_FORM_MEMORY_SIZE = 2 * 1024 * 1024
# Newsletter signups allowed per client address per hour.
SIGNUP_RATE_LIMIT = 5
# Minutes before signing up again sends the same mailbox another email (name+tag@ included).
NEWSLETTER_RESEND_MINUTES = 15
# Days a confirmation link works.
NEWSLETTER_CONFIRM_DAYS = 7
# Address offered beside the link in List-Unsubscribe. None: MAIL_DEFAULT_SENDER's; "": none.
NEWSLETTER_UNSUBSCRIBE_MAILTO = None
# Whether unsubscribe links of the old signed format, in emails sent before links became random
# tokens, still work. Turn off once those emails are too old to matter.
NEWSLETTER_LEGACY_UNSUBSCRIBE_LINKS = True
# Slug of the page that every newsletter signup form links to as its privacy policy, once such a
# page is published; a subscriber's record keeps which saved version of it was shown.
PRIVACY_PAGE_SLUG = "privacy"
# Round-up messages sent per second (0: as fast as the mail server takes them); `digest send
# --rate` overrides it.
DIGEST_RATE = 20
# Round-up messages sent over one SMTP connection before a fresh one is opened; `digest send
# --batch-size` overrides it.
DIGEST_BATCH_SIZE = 100
# Runs of `digest send` in which the mail server may put off one address's copy (4xx, "try again
# later") before it counts as refused, so that one full mailbox cannot hold the round-up open.
DIGEST_MAX_ATTEMPTS = 3
# Seconds a `digest send` that stopped showing it is alive (killed, its server lost) keeps the
# round-up before another run may take it over; a live run shows it every sixth of this.
DIGEST_LEASE_SECONDS = 120
# SMTP server host name (the MAIL_* settings follow Flask-Mail's names).
MAIL_SERVER = "localhost"
# SMTP port: 25, 587 with MAIL_USE_TLS, 465 with MAIL_USE_SSL.
MAIL_PORT = 25
# Upgrade the connection with STARTTLS before logging in (in the environment: true or false, 1
# or 0, yes or no).
MAIL_USE_TLS = False
# Connect with TLS from the start (implicit TLS, usually port 465); in the environment, as
# MAIL_USE_TLS.
MAIL_USE_SSL = False
# A PEM file of the certificate authorities to trust for the mail server's certificate, instead
# of the system's (a relay with a private CA or a self-signed certificate). None: the system's.
MAIL_TLS_CA = None
# Login on the SMTP server; None: send without logging in.
MAIL_USERNAME = None
# Password for MAIL_USERNAME; put it in instance/config.py or the environment, never in git.
MAIL_PASSWORD = None
# The From of every email: "Name <address>".
MAIL_DEFAULT_SENDER = "The Crosswind Review <newsletter@example.org>"
# Seconds to wait for the SMTP server before giving up (a signup waits for it).
MAIL_TIMEOUT = 10
# Failed sign-ins per account in 15 minutes before only addresses that have not failed on it
# may try (the owner is never locked out) and its owner is emailed.
SIGNIN_FAILURES_PER_ACCOUNT = 5
# Failed sign-ins allowed per client address in 15 minutes; past them, 429.
SIGNIN_FAILURES_PER_ADDRESS = 20
# Searches allowed per client address per minute (typing refreshes the results, so not too few).
SEARCH_RATE_LIMIT = 60
# Editor previews allowed per signed-in user per minute (the preview follows the typing).
PREVIEW_RATE_LIMIT = 120
# Milliseconds a SQLite request waits for a lock before it gives up and the reader gets a 503.
SQLITE_BUSY_TIMEOUT = 10_000
# Number of proxies in front of the app whose X-Forwarded-* headers are trusted (nginx: 1).
PROXY_COUNT = 0
# Redis URL (redis://host:6379/0). Set, rate limits are counted, and rendered pages kept, in
# Redis instead of the database and each worker's memory.
REDIS_URL = None
# The session cookie is HttpOnly: scripts cannot read it.
SESSION_COOKIE_HTTPONLY = True
# The session cookie is SameSite=Lax: browsers do not send it on cross-site posts.
SESSION_COOKIE_SAMESITE = "Lax"
# Whether cookies (the session, which holds the CSRF token, and remember-me) are Secure. None:
# exactly when SITE_URL is https://; True or False overrides that.
SESSION_COOKIE_SECURE = None
# Seconds the shipped nginx may keep a public page (X-Accel-Expires): the only staleness readers
# can see.
NGINX_CACHE_SECONDS = 5
# Memory in bytes for the rendered public pages each worker keeps (bodies, headers and
# bookkeeping) when REDIS_URL is not set; 0 turns the page cache off. A viral story's pages are
# a handful of ~40 KB bodies: 4 MiB holds about a hundred, and keeps a worker under 80 MB when
# every request is a page of its own (bench/memory.py --distinct; 8 MiB took it to 84 MB). With
# several workers, REDIS_URL keeps one copy of each page for all of them.
PAGE_CACHE_BYTES = 4 * 1024 * 1024
# Where uploaded photos and their generated variants live. None means instance/photos.
PHOTO_FOLDER = None
