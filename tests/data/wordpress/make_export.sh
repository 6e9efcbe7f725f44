#!/bin/sh
# Rebuilds export.xml, uploads/, hand/truncated.xml and hand/wordpress-feed.xml from a real
# WordPress (Debian's `wordpress` package; see README.md). Run as a user who may create
# MariaDB databases:
#   sh tests/data/wordpress/make_export.sh
# Database settings: WP_FIXTURE_DB_NAME, _HOST, _USER, _PASSWORD (see bootstrap.php).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
db=${WP_FIXTURE_DB_NAME:-wordpress_fixture}
db_host=${WP_FIXTURE_DB_HOST:-127.0.0.1}
db_user=${WP_FIXTURE_DB_USER:-root}

content=$(mktemp -d)
chmod 755 "$content"  # WordPress copies this mode, less execute, onto the files it writes
trap 'rm -rf "$content"' EXIT
export WP_FIXTURE_CONTENT_DIR="$content"

MYSQL_PWD=${WP_FIXTURE_DB_PASSWORD:-} mysql -h "$db_host" -u "$db_user" -e \
    "DROP DATABASE IF EXISTS \`$db\`; CREATE DATABASE \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"

php "$here/install.php"
php "$here/make_site.php"
php "$here/export.php" > "$content/export.xml"
php -r '$x = new DOMDocument(); exit($x->load($argv[1]) ? 0 : 1);' "$content/export.xml"
mv "$content/export.xml" "$here/export.xml"

rm -rf "$here/uploads"
cp -r "$content/uploads" "$here/uploads"
mkdir -p "$here/hand"
# One featured image is missing from the copy on purpose (see README.md).
while read -r missing; do
    rm "$here/uploads/$missing"
done < "$content/missing-files.txt"

# The same site's RSS feed: RSS without the export namespace.
php "$here/feed.php" > "$here/hand/wordpress-feed.xml"

# A download cut off in the middle: the first half of the real export.
size=$(wc -c < "$here/export.xml")
head -c $((size / 2)) "$here/export.xml" > "$here/hand/truncated.xml"
