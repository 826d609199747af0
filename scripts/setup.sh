#!/usr/bin/env bash
# Install whatever this machine is missing to build (and, with `test`, to
# test) Clinicpress. Idempotent: a second run only checks versions.
#
#   scripts/setup.sh build   wasm32 target, wasm-bindgen-cli, cargo-leptos, wasm-opt
#   scripts/setup.sh test    the above, plus Chromium, the Playwright packages and python3-venv
#
# Nothing is downloaded from GitHub: cargo-leptos would fetch wasm-bindgen and
# wasm-opt from there, so both are put on PATH first (wasm-bindgen-cli from
# crates.io, wasm-opt from the npm package `binaryen`, pinned in tools/).
# Debian's own `binaryen` is deliberately not used: its wasm-opt (108) breaks
# hydration silently.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-build}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo >/dev/null || { echo "Rust is missing: install it with rustup (https://rustup.rs) first." >&2; exit 1; }
command -v npm >/dev/null || apt_install nodejs npm
command -v cc >/dev/null || apt_install build-essential

# 1. The browser target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen-cli, exactly the version Cargo.lock pins (else "schema version" errors).
want_wb=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
have_wb=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have_wb" != "$want_wb" ]; then
  say "installing wasm-bindgen-cli $want_wb (a few minutes, once)"
  # Not --locked: its lock file names a crate version the registry lacks.
  cargo install wasm-bindgen-cli --version "$want_wb" --force
fi

# 3. cargo-leptos.
if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  say "installing cargo-leptos 0.3.10 (about 13 minutes, once)"
  cargo install cargo-leptos --version 0.3.10 --locked
fi

# 4. wasm-opt from npm (tools/package-lock.json pins binaryen).
if [ ! -x tools/node_modules/.bin/wasm-opt ] || [ tools/package-lock.json -nt tools/node_modules/.package-lock.json ]; then
  say "installing build tools from npm (binaryen)"
  npm ci --prefix tools --no-audit --no-fund --loglevel=error
fi

if [ "$mode" = test ]; then
  # 5. Chromium for the browser tests, wrk/nginx are only for bench/.
  apt_install chromium
  if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing the Playwright test packages from npm (no browser download)"
    npm ci --prefix end2end --no-audit --no-fund --loglevel=error
  fi
  # 6. Python 3 with venv for the document checks (scripts/check-documents.sh
  #    installs its pinned packages from PyPI into .tools/pyenv).
  command -v python3 >/dev/null || apt_install python3
  python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
fi
