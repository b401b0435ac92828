#!/usr/bin/env bash
# Build the single-page app (root package tocsin-web) into dist/ with trunk: twice, the whole
# app from index.html (binary tocsin-web) and the wall alone from wall.html (binary
# tocsin-wall, into target/wall-dist; wall.html is index.html with the other data-bin, written
# here and not kept in git); scripts/web-loader.py then copies the wall's files into
# dist/ and gives index.html a loader that loads the wall alone on / and /wall and the whole
# app elsewhere (issue 13: the wall route loads only what the wall needs).
#
#   scripts/build-web.sh [--force]
#
# Skips the build when dist/index.html is newer than every source file (src/ style/
# public/ index.html scripts/web-loader.py Trunk.toml Cargo.toml Cargo.lock crates/tocsin-api vendor); --force or
# TOCSIN_WEB_FORCE=1 rebuilds anyway.
#
# Toolchain: when rustup's wasm32-unknown-unknown target is installed, a plain
# `trunk build --release --offline`. Otherwise Debian's rustc-web 1.96 builds std for wasm32
# from rust-web-src (build-std), linked by the rustup toolchain's rust-lld, in its own
# target dir (target/web) so the server's artefacts are not rebuilt back and forth.
# TOCSIN_WASM_MODE=rustup|debian forces one of the two (default: detect).
# Run scripts/setup.sh first (make does).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"

FORCE="${TOCSIN_WEB_FORCE:-0}"
[ "${1:-}" = "--force" ] && FORCE=1

step() { printf '==> [web] %s\n' "$*"; }

# --- up to date? ---------------------------------------------------------------------------
SOURCES=()
for s in src style public index.html scripts/web-loader.py Trunk.toml Cargo.toml Cargo.lock crates/tocsin-api vendor; do
    [ -e "$s" ] && SOURCES+=("$s")
done
if [ "$FORCE" != "1" ] && [ -f dist/index.html ]; then
    newer="$(find "${SOURCES[@]}" -newer dist/index.html -print -quit 2>/dev/null || true)"
    if [ -z "$newer" ]; then
        step "dist/ is up to date (newer than ${SOURCES[*]}); skipping the SPA build"
        exit 0
    fi
    step "rebuilding: $newer changed since the last build"
fi

command -v trunk >/dev/null 2>&1 || { echo "build-web: trunk not found; run scripts/setup.sh" >&2; exit 1; }
command -v wasm-bindgen >/dev/null 2>&1 || { echo "build-web: wasm-bindgen not found; run scripts/setup.sh" >&2; exit 1; }

MODE="${TOCSIN_WASM_MODE:-}"
if [ -z "$MODE" ]; then
    if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
        MODE=rustup
    else
        MODE=debian
    fi
fi

# The wall alone: index.html with the wall's binary.
sed 's/data-bin="tocsin-web"/data-bin="tocsin-wall"/' index.html > wall.html
grep -q 'data-bin="tocsin-wall"' wall.html || { echo "build-web: index.html has no data-bin=\"tocsin-web\" to turn into the wall's" >&2; exit 1; }

START=$SECONDS
if [ "$MODE" = "rustup" ]; then
    step "trunk build --release --offline (rustup wasm32 target): the whole app, then the wall alone"
    trunk build --release --offline=true index.html
    trunk build --release --offline=true --dist target/wall-dist wall.html
else
    # Resolve rust-lld with rustup's rustc before RUSTC points at Debian's compiler.
    LLD="$(rustc --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld"
    [ -x "$LLD" ] || { echo "build-web: rust-lld not found at $LLD" >&2; exit 1; }
    [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust/library ] || {
        echo "build-web: no rustup wasm32 target and no Debian rustc-web/rust-web-src; run scripts/setup.sh" >&2
        exit 1
    }
    step "trunk build --release --offline (Debian $(/usr/bin/rustc --version | cut -d' ' -f1-2) + build-std; the first build compiles std: ~4 min on 2 cores)"
    env RUSTC=/usr/bin/rustc \
        RUSTC_BOOTSTRAP=1 \
        CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
        CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$LLD" \
        CARGO_TARGET_DIR=target/web \
        trunk build --release --offline=true index.html
    env RUSTC=/usr/bin/rustc \
        RUSTC_BOOTSTRAP=1 \
        CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
        CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$LLD" \
        CARGO_TARGET_DIR=target/web \
        trunk build --release --offline=true --dist target/wall-dist wall.html
fi
[ -f dist/index.html ] || { echo "build-web: trunk finished but dist/index.html is missing" >&2; exit 1; }
step "index.html: the wall alone on / and /wall, the whole app elsewhere (scripts/web-loader.py)"
python3 scripts/web-loader.py dist target/wall-dist
# trunk may keep the old index.html mtime when nothing changed; mark the build time.
touch dist/index.html
step "SPA built into dist/ in $((SECONDS - START)) s ($(du -sh dist | cut -f1))"
