#!/usr/bin/env bash
# Run every Clinicpress test: formatting and lints, Rust unit and integration
# tests (storage and HTTP tests on SQLite AND PostgreSQL), the document checks
# (feedparser, the sitemap schema, JSON-LD, OpenAPI, schemathesis; see
# scripts/check-documents.sh), then the Playwright suite in Chromium.
#
# PostgreSQL: CLINICPRESS_TEST_PG (default postgres://postgres@127.0.0.1:5432/postgres).
# If it is not running and this machine has a cluster, it is started. Without
# PostgreSQL the PostgreSQL half of each storage test is skipped LOUDLY — but
# never when CI is set: then it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
source scripts/env.sh

started=$SECONDS
# Each step says how long the run has taken so far (CI allows 90 minutes).
say() { printf '\033[1m==> [%dm%02ds] %s\033[0m\n' $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60)) "$*" >&2; }

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && [ -d /etc/postgresql ]; then
  say "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi

say "cargo fmt --check"
cargo fmt --all -- --check

say "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy -p app --no-default-features --features hydrate --target wasm32-unknown-unknown --locked -- -D warnings

say "Rust tests (SQLite and PostgreSQL)"
cargo test --workspace --locked

# The browser tests run the debug build: it shares most compiled crates with
# the tests above, where a cold release build (LTO, wasm-opt) would add
# 15-25 minutes on two cores. scripts/demo.sh builds and serves the release.
say "debug build (server and browser bundle) for the browser tests"
cargo leptos build

say "feeds, sitemaps, JSON-LD, OpenAPI and schemathesis against the demo server"
scripts/check-documents.sh target/debug/clinicpress

say "Playwright in Chromium"
(cd end2end && CLINICPRESS_BIN="$PWD/../target/debug/clinicpress" npx playwright test)

say "all tests passed"
