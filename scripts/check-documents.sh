#!/usr/bin/env bash
# Check, against a running demo server, the documents other programs read:
# feeds (feedparser), sitemaps (tools/checks/sitemap.xsd), JSON-LD, the
# OpenAPI document (openapi-spec-validator), and fuzz the JSON API from that
# document with schemathesis: no 5xx, every answer as documented.
#
#   scripts/check-documents.sh [BINARY]   default: target/debug/clinicpress
#
# scripts/test.sh runs it after the debug build. The Python tools are pinned
# in tools/checks/requirements.txt and installed into .tools/pyenv once.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/clinicpress}
port=${CHECK_PORT:-3180}
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

venv=.tools/pyenv
reqs=tools/checks/requirements.txt
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$reqs" "$venv/requirements.txt"; then
  say "installing the document checkers (Python, pinned) into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$reqs"
  cp "$reqs" "$venv/requirements.txt"
fi

data=$(mktemp -d "${TMPDIR:-/tmp}/clinicpress-check.XXXXXX")
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$data"
}
trap cleanup EXIT

# The demo clinics, plus one clinic with no posts: its feeds and sitemap
# must still be valid documents. A small sitemap limit turns the big
# clinic's sitemap into an index of parts, so that form is checked too.
export CLINICPRESS_DATA=$data CLINICPRESS_ADDR=127.0.0.1:$port CLINICPRESS_SITEMAP_LIMIT=25
"$bin" serve --demo > "$data/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$data/server.log" >&2; exit 1; }
  sleep 0.2
done
cat > "$data/empty.toml" <<'EOF'
[[clinic]]
slug = "quiet"
name = "Quiet Valley Clinic"
hosts = ["quiet.localhost"]
default_inbox = "frontdesk@quiet.example"

[[clinic.location]]
slug = "main-street"
name = "Main Street"
address = "12 Main Street, Quiet Valley, OR 97000"
phone = "+1 503 555 0199"
timezone = "America/Los_Angeles"
hours = { mon = "09:00-12:00,13:00-17:00", tue = "09:00-17:00", sat = "closed" }
inbox = ["mainstreet@quiet.example"]
zip_codes = ["97000"]
EOF
"$bin" provision "$data/empty.toml" >/dev/null

say "feeds, sitemaps, JSON-LD and the OpenAPI document"
"$venv/bin/python" tools/checks/check_documents.py "http://127.0.0.1:$port" \
  "pmc.localhost:$port" "lakeside.localhost:$port" "quiet.localhost:$port"

say "schemathesis against the JSON API"
# Positive and negative data for every documented operation; each answer must
# be documented (status, content type, headers, body schema), and no 5xx.
"$venv/bin/schemathesis" run "http://127.0.0.1:$port/api/openapi.json" \
  --url "http://127.0.0.1:$port" \
  --header "Host: pmc.localhost:$port" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples "${CHECK_EXAMPLES:-60}" \
  --generation-database none \
  --seed 20261203 \
  --workers 2 \
  --no-color
