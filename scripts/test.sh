#!/usr/bin/env bash
# The one test command (README "Quick start", and what .ci/run runs).
# It prepares what the tests need on a fresh Debian machine, then runs the
# whole workspace suite against SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*" >&2; }

apt_install() {
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    [ -n "${APT_UPDATED:-}" ] || { apt-get update -qq >/dev/null; APT_UPDATED=1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    log "cannot install $* (need root and apt-get); tests that need it will say so"
  fi
}

# Headless Chromium and its driver for the browser tests.
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  log "installing chromium and chromium-driver"
  apt_install chromium chromium-driver || log "chromium install failed; browser tests will be skipped"
fi

# PostgreSQL: use the server on 127.0.0.1:5432 if one answers, else install and start one.
PG_URL="${CHORUS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432 >/dev/null 2>&1; }
if ! command -v pg_isready >/dev/null 2>&1; then
  apt_install postgresql-client || true
fi
if ! pg_ready; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    log "installing postgresql"
    apt_install postgresql
  fi
  ver=$(ls /etc/postgresql | sort -V | tail -n1)
  conf=/etc/postgresql/$ver/main
  # Trust local connections, as the test URL has no password.
  if ! grep -q '^host all all 127.0.0.1/32 trust' "$conf/pg_hba.conf"; then
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\nlocal all all trust' "$conf/pg_hba.conf"
  fi
  log "starting postgresql $ver"
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start || pg_ctlcluster "$ver" main restart
  for _ in $(seq 1 60); do pg_ready && break; sleep 0.5; done
fi
if pg_ready; then
  export CHORUS_TEST_POSTGRES_URL="$PG_URL"
  log "PostgreSQL conformance enabled ($PG_URL)"
else
  log "PostgreSQL is not reachable: its conformance tests will be skipped"
fi

# Real datasets for the qualify evaluations, when the shared folder is beside the project.
if [ -z "${CHORUS_DATASETS_DIR:-}" ] && [ -d ../shared/data ]; then
  export CHORUS_DATASETS_DIR="$(cd ../shared/data && pwd)"
fi

log "cargo test --workspace"
cargo test --workspace --all-targets "$@"

log "benchmark smoke runs"
# The binary the test build made (workspace features): `cargo run` would
# resolve features for the binary alone and rebuild much of the tree.
chorus="${CARGO_TARGET_DIR:-target}/debug/chorus"
[ -x "$chorus" ] || cargo build --workspace --quiet
"$chorus" bench import --creators 300 --json
"$chorus" bench plan --candidates 2000 --json
"$chorus" bench search --creators 500 --json
"$chorus" bench attribute --orders 2000 --clicks 20000 --json
"$chorus" bench settle --creators 100 --lines 5000 --json
"$chorus" bench review --captions 500 --json
"$chorus" bench qualify --shortlist 4 --sample 50 --months 6 --creators 20 --json
# The redirect bench compares with nginx when it is installed; it passes without it.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  apt_install nginx || log "nginx unavailable: the redirect bench prints no nginx figures"
fi
"$chorus" bench redirect --seconds 0.5 --json
"$chorus" bench ingest --orders 500 --json
"$chorus" bench contracts --creators 20 --json
