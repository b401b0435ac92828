#!/usr/bin/env bash
# Install whatever Tocsin's build and tests need, and nothing that is already there.
#
#   scripts/setup.sh
#
# Idempotent and quick (a few seconds) when everything is present, so `make run`,
# `make test` and CI call it every time. Works on a fresh Debian 12 machine that has
# rustup (stable), python3, gcc and git. See docs in README.md ("Quick start") and the
# toolchain notes: the WebAssembly target comes from rustup when its download server is
# reachable, otherwise from Debian's rustc-web + rust-web-src (std built with build-std).
#
# Installs, when missing:
#   - wasm toolchain: `rustup target add wasm32-unknown-unknown` (20 s timeout), else the
#     Debian packages rustc-web cargo-web rust-web-src; the mode is recorded in
#     target/.wasm-mode ("rustup" or "debian")
#   - trunk 0.21.14 and wasm-bindgen-cli (the exact wasm-bindgen version in Cargo.lock)
#   - binaryen (wasm-opt), chromium + chromium-driver, curl, sqlite3 (apt)
#   - prometheus-alertmanager (apt: the real Alertmanager and amtool the e2e tests drive)
#   - wrk (apt: the load generator of `make bench-ingest`)
#   - postgresql (apt: `initdb`/`pg_ctl` for the throwaway clusters tests/it/postgres.rs
#     starts; the tests never use a cluster the package may have set up)
#   - .venv with the Python packages in tests/e2e/requirements.txt (boto3, pytest, playwright)
#   - nodejs and npm (apt; Debian 12's Node 18.20) when `node` or `npm` is not on PATH, and the
#     AWS SDK for JavaScript v3 and axe-core (the accessibility checker the browser tests
#     inject) in tests/e2e/js (`npm ci`: the exact versions of its
#     package-lock.json, chosen to run on Node 18) when its node_modules is missing or older
#     than package-lock.json
#
# Environment:
#   TOCSIN_SETUP_NO_APT=1   never call apt-get (fail instead if a package is missing)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
export PATH="$HOME/.cargo/bin:$PATH"
export DEBIAN_FRONTEND=noninteractive

TRUNK_VERSION="0.21.14"
WASM_TARGET="wasm32-unknown-unknown"
MODE_FILE="$ROOT/target/.wasm-mode"
VENV="$ROOT/.venv"
REQUIREMENTS="$ROOT/tests/e2e/requirements.txt"
JS_DIR="$ROOT/tests/e2e/js"

START=$SECONDS
step() { printf '==> [setup] %s\n' "$*"; }
ok() { printf '    ok: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "not root and sudo is not installed"
    SUDO="sudo"
fi

# --- apt helpers -------------------------------------------------------------------------
APT_UPDATED=0
INSTALLED_SOMETHING=0

pkg_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

# apt_install PKG...: installs the packages that are not installed yet.
apt_install() {
    local missing=() p
    for p in "$@"; do
        pkg_installed "$p" || missing+=("$p")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    [ "${TOCSIN_SETUP_NO_APT:-0}" = "1" ] && die "missing Debian packages: ${missing[*]} (TOCSIN_SETUP_NO_APT=1)"
    command -v apt-get >/dev/null 2>&1 || die "missing packages ${missing[*]} and apt-get is not available"
    if [ "$APT_UPDATED" -eq 0 ]; then
        step "apt-get update"
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update
        APT_UPDATED=1
    fi
    step "apt-get install -y ${missing[*]}"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
    INSTALLED_SOMETHING=1
}

# --- preconditions -----------------------------------------------------------------------
command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust with rustup (https://rustup.rs) first"
command -v rustup >/dev/null 2>&1 || die "rustup not found: install Rust with rustup (https://rustup.rs) first"
command -v python3 >/dev/null 2>&1 || die "python3 not found"

# rustfmt and clippy come with rustup's default profile; add them if a minimal profile left them out.
step "rustfmt and clippy"
if cargo fmt --version >/dev/null 2>&1 && cargo clippy --version >/dev/null 2>&1; then
    ok "$(cargo fmt --version); $(cargo clippy --version)"
else
    step "rustup component add rustfmt clippy (60 s timeout)"
    timeout 60 rustup component add rustfmt clippy \
        || die "rustfmt/clippy missing and rustup could not add them; install them with rustup"
    INSTALLED_SOMETHING=1
fi

# Small tools the scripts and examples use.
step "base tools (curl, sqlite3, make)"
apt_install curl ca-certificates sqlite3 make openssl
ok "base tools present"

# --- (a) WebAssembly toolchain -----------------------------------------------------------
step "WebAssembly toolchain ($WASM_TARGET)"
mkdir -p "$ROOT/target"
debian_wasm_ready() {
    pkg_installed rustc-web && pkg_installed cargo-web && pkg_installed rust-web-src \
        && [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust/library ]
}
if rustup target list --installed 2>/dev/null | grep -qx "$WASM_TARGET"; then
    echo rustup >"$MODE_FILE"
    ok "rustup target $WASM_TARGET installed (mode: rustup)"
elif [ "$(cat "$MODE_FILE" 2>/dev/null || true)" = "debian" ] && debian_wasm_ready; then
    ok "Debian rustc-web + rust-web-src installed (mode: debian, recorded in target/.wasm-mode)"
else
    step "trying: rustup target add $WASM_TARGET (20 s timeout)"
    if timeout 20 rustup target add "$WASM_TARGET"; then
        echo rustup >"$MODE_FILE"
        INSTALLED_SOMETHING=1
        ok "rustup target $WASM_TARGET installed (mode: rustup)"
    else
        step "rustup could not add $WASM_TARGET; falling back to Debian's rustc-web + rust-web-src (build-std)"
        apt_install rustc-web cargo-web rust-web-src
        debian_wasm_ready || die "rustc-web/rust-web-src installed but /usr/bin/rustc or /usr/lib/rustlib/src/rust/library is missing"
        echo debian >"$MODE_FILE"
        ok "mode: debian ($(/usr/bin/rustc --version))"
    fi
fi
LLD="$(rustc --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld"
if [ "$(cat "$MODE_FILE")" = "debian" ] && [ ! -x "$LLD" ]; then
    die "rust-lld not found at $LLD (it ships with the rustup toolchain)"
fi

# --- (b) trunk ---------------------------------------------------------------------------
step "trunk $TRUNK_VERSION"
have_trunk="$(trunk --version 2>/dev/null || true)"
if [ "$have_trunk" = "trunk $TRUNK_VERSION" ]; then
    ok "$have_trunk"
else
    step "installing trunk $TRUNK_VERSION with cargo install (takes ~8 min on 2 cores; found: '${have_trunk:-none}')"
    cargo install --locked "trunk@$TRUNK_VERSION"
    INSTALLED_SOMETHING=1
    ok "$(trunk --version)"
fi

# --- (c) wasm-bindgen-cli matching Cargo.lock ---------------------------------------------
WB_VERSION="$(awk '
    /^\[\[package\]\]/ { name = "" }
    /^name = / { name = $3; gsub(/"/, "", name) }
    /^version = / && name == "wasm-bindgen" { v = $3; gsub(/"/, "", v); print v; exit }
' "$ROOT/Cargo.lock")"
[ -n "$WB_VERSION" ] || die "could not find the wasm-bindgen package in Cargo.lock"
step "wasm-bindgen-cli $WB_VERSION (the wasm-bindgen version in Cargo.lock)"
have_wb="$(wasm-bindgen --version 2>/dev/null || true)"
if [ "$have_wb" = "wasm-bindgen $WB_VERSION" ]; then
    ok "$have_wb"
else
    step "installing wasm-bindgen-cli $WB_VERSION with cargo install (a few minutes; found: '${have_wb:-none}')"
    if ! cargo install --locked "wasm-bindgen-cli@$WB_VERSION"; then
        # The crate's published lock file can name a dependency version that has since been
        # yanked from the index; resolve afresh in that case.
        step "cargo install --locked failed; retrying without --locked"
        cargo install --force "wasm-bindgen-cli@$WB_VERSION"
    fi
    INSTALLED_SOMETHING=1
    ok "$(wasm-bindgen --version)"
fi

# --- (d) binaryen, (e) chromium -------------------------------------------------------------
step "binaryen (wasm-opt), chromium, chromium-driver"
apt_install binaryen chromium chromium-driver
ok "$(wasm-opt --version 2>/dev/null | head -n1); $(/usr/bin/chromium --version 2>/dev/null | head -n1)"

# --- Prometheus Alertmanager (the e2e tests run a real one in front of Tocsin) -------------
step "prometheus-alertmanager (Debian package; the service is not enabled by the tests)"
apt_install prometheus-alertmanager
ok "$(prometheus-alertmanager --version 2>&1 | head -n1)"

step "wrk (Debian package; the load generator of make bench-ingest)"
apt_install wrk
ok "$(wrk -v 2>&1 | head -n1)"

step "PostgreSQL (Debian packages; the store tests start throwaway clusters of their own)"
apt_install postgresql
ok "$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -n1)"

# --- (f) Python venv -----------------------------------------------------------------------
step "Python venv .venv ($(tr '\n' ' ' <"$REQUIREMENTS"))"
REQ_HASH="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
STAMP="$VENV/.tocsin-requirements.sha256"
if [ -x "$VENV/bin/python" ] && [ "$(cat "$STAMP" 2>/dev/null || true)" = "$REQ_HASH" ] \
    && "$VENV/bin/python" -c 'import boto3, pytest, playwright' 2>/dev/null; then
    ok "venv up to date"
else
    if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
        step "creating $VENV"
        rm -rf "$VENV"
        if ! python3 -m venv "$VENV"; then
            # Debian's system python needs python3-venv (ensurepip) to create a venv with pip.
            rm -rf "$VENV"
            apt_install python3-venv
            python3 -m venv "$VENV"
        fi
    fi
    step "pip install -r tests/e2e/requirements.txt (boto3, pytest, playwright; ~1 min)"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$REQUIREMENTS"
    "$VENV/bin/python" -c 'import boto3, pytest, playwright'
    echo "$REQ_HASH" >"$STAMP"
    INSTALLED_SOMETHING=1
    ok "venv ready"
fi
# Playwright drives Debian's /usr/bin/chromium (never `playwright install`).

# --- (g) Node.js, the AWS SDK for JavaScript v3 (tests/e2e/test_js_sdk.py) and axe-core
#         (tests/e2e/test_accessibility_browser.py) ----------------------------------------
step "Node.js and npm (the AWS SDK for JavaScript end-to-end test, axe-core)"
# Only when missing: a node from elsewhere (e.g. a newer one) is used as it is.
command -v node >/dev/null 2>&1 || apt_install nodejs
command -v npm >/dev/null 2>&1 || apt_install npm
command -v node >/dev/null 2>&1 || die "node not found after installing Debian's nodejs"
command -v npm >/dev/null 2>&1 || die "npm not found after installing Debian's npm"
ok "node $(node --version); npm $(npm --version)"

step "AWS SDK for JavaScript v3 and axe-core in tests/e2e/js (npm ci from package-lock.json)"
# npm writes node_modules/.package-lock.json last, so its age is that of a complete install
# (an interrupted one has none and is redone).
JS_STAMP="$JS_DIR/node_modules/.package-lock.json"
if [ -f "$JS_STAMP" ] && ! [ "$JS_STAMP" -ot "$JS_DIR/package-lock.json" ]; then
    ok "tests/e2e/js/node_modules up to date"
else
    step "npm ci --prefix tests/e2e/js (~15 s)"
    npm ci --prefix "$JS_DIR" --no-audit --no-fund
    INSTALLED_SOMETHING=1
    ok "tests/e2e/js/node_modules installed"
fi

if [ "$INSTALLED_SOMETHING" -eq 0 ]; then
    step "everything is present (wasm mode: $(cat "$MODE_FILE")) — $((SECONDS - START)) s"
else
    step "done (wasm mode: $(cat "$MODE_FILE")) — $((SECONDS - START)) s"
fi
