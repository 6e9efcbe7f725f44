#!/usr/bin/env bash
# Lighthouse (mobile) scores for the front and article pages, with Debian's Chromium.
#   bench/lighthouse.sh [BASE_URL]      (default: a fresh `make run`-style site on port 5077)
# Needs node and npm (lighthouse@12.2.3 runs on Node 20) and chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=$(mktemp -d)
trap 'rm -rf "$tools"; [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true' EXIT
npm install --silent --prefix "$tools" -E lighthouse@12.2.3 >/dev/null

base=${1:-}
if [ -z "$base" ]; then
  export RSFLASK_INSTANCE_PATH="$tools/instance"
  .venv/bin/flask --app rsflask db upgrade >/dev/null 2>&1
  .venv/bin/flask --app rsflask seed-demo >/dev/null
  .venv/bin/gunicorn -c deploy/gunicorn.conf.py --bind 127.0.0.1:5077 wsgi:app >"$tools/app.log" 2>&1 &
  server=$!
  base=http://127.0.0.1:5077
  for _ in $(seq 50); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done
fi
article=$(curl -fs "$base/" | grep -o 'href="/articles/[a-z0-9-]*"' | head -1 | cut -d'"' -f2)

for path in / "$article"; do
  "$tools/node_modules/.bin/lighthouse" "$base$path" --quiet --output=json --output-path="$tools/report.json" \
    --chrome-path="$(command -v chromium)" \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run" \
    --only-categories=performance,accessibility,best-practices,seo
  node -e '
    const r = require(process.argv[1]);
    const s = Object.values(r.categories).map(c => `${c.title}: ${Math.round(c.score * 100)}`).join(", ");
    const bytes = r.audits["total-byte-weight"].numericValue;
    const requests = r.audits["network-requests"].details.items.length;
    console.log(`${process.argv[2]}\n  ${s}\n  ${Math.round(bytes / 1024)} KB over the wire in ${requests} requests`);
  ' "$tools/report.json" "$path"
done
