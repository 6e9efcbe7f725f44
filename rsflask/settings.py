"""Default settings. instance/config.py and RSFLASK_* environment variables override them.

The README's settings table mirrors this file: change both together.
"""

# The publication's name, used in titles, the masthead and feeds.
SITE_NAME = "The Crosswind Review"
# One line under the masthead and the default meta description.
SITE_TAGLINE = "Foreign policy, read slowly."
# The site's public address, for links made outside a request (emails, command output).
SITE_URL = "http://127.0.0.1:5000"
# IANA time zone in which dates are shown and imported times are read.
TIMEZONE = "UTC"
# The "follow us" links: a list of [name, url] pairs (JSON in the environment).
SOCIAL_LINKS = [
    ["Mastodon", "https://mastodon.example/@crosswind"],
    ["Bluesky", "https://bsky.example/profile/crosswind"],
    ["LinkedIn", "https://linkedin.example/company/crosswind"],
    ["RSS", "/feeds/all.atom"],
]
# Database URL. None means SQLite in the instance folder (instance/rsflask.sqlite3).
SQLALCHEMY_DATABASE_URI = None
# Secret for sessions and CSRF tokens. None means generated once into instance/secret_key.
SECRET_KEY = None
# Section whose short items make up the QIOSK stream.
QIOSK_SECTION = "qiosk"
# Articles per page on listings, and items per step of the LATEST list.
ARTICLES_PER_PAGE = 12
LATEST_PER_PAGE = 8
# How many top-level blocks (paragraphs, lists...) a teaser shows before "Keep reading".
TEASER_BLOCKS = 2
# Largest request body in bytes (photo uploads included); longer answers get 413.
MAX_CONTENT_LENGTH = 16 * 1024 * 1024
# Largest non-file form field in bytes; Flask's own default (500 KB) is too small for long articles.
MAX_FORM_MEMORY_SIZE = 2 * 1024 * 1024
# Newsletter signups allowed per client address per hour.
SIGNUP_RATE_LIMIT = 5
# Number of proxies in front of the app whose X-Forwarded-* headers are trusted (nginx: 1).
PROXY_COUNT = 0
# Sessions are HttpOnly and SameSite=Lax always; Secure is set when served over HTTPS.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = False
# Where uploaded and generated photos live. None means instance/photos.
PHOTO_FOLDER = None
