#!/usr/bin/env bash
# Build Clinicpress and serve the demo clinics on SQLite.
#
#   scripts/demo.sh            → http://localhost:3000/ (index of clinics),
#                                http://pmc.localhost:3000/, http://lakeside.localhost:3000/
#
# CLINICPRESS_ADDR (default 127.0.0.1:3000) and CLINICPRESS_DATA (default
# ./data) are passed through. The demo content loads only into an empty
# database; delete the data directory to start over.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
source scripts/env.sh
cargo leptos build --release
exec target/release/clinicpress serve --demo
