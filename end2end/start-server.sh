#!/bin/sh
# Start the Clinicpress release binary on the demo content, in a fresh
# throw-away data directory that is removed when the server stops.
# playwright.config.ts runs this as its webServer; it also works by hand.
#
#   CLINICPRESS_BIN  binary to run (default: ../target/release/clinicpress,
#                    relative to this folder)
#   E2E_PORT         port on 127.0.0.1 (default: 3100)
#   E2E_DATA         data directory, emptied first (default: a new temporary one);
#                    the admin tests read mailed reset links from E2E_DATA/mail
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${CLINICPRESS_BIN:-"$here/../target/release/clinicpress"}
port=${E2E_PORT:-3100}
if [ ! -x "$bin" ]; then
  echo "start-server.sh: no executable at $bin (build it with 'cargo leptos build --release', or set CLINICPRESS_BIN)" >&2
  exit 1
fi

if [ -n "${E2E_DATA:-}" ]; then
  data=$E2E_DATA
  rm -rf "$data"
  mkdir -p "$data"
else
  data=$(mktemp -d "${TMPDIR:-/tmp}/clinicpress-e2e.XXXXXX")
fi
child=
cleanup() {
  if [ -n "$child" ]; then
    kill "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  rm -rf "$data"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

echo "start-server.sh: $bin on 127.0.0.1:$port, data in $data" >&2
CLINICPRESS_DATA="$data" CLINICPRESS_ADDR="127.0.0.1:$port" "$bin" serve --demo &
child=$!
wait "$child"
