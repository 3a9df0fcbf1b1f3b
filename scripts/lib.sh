# Shared helpers for scripts/run, scripts/test and scripts/bench (sourced, not run).

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
warn() { printf '\033[33m!!  %s\033[0m\n' "$*" >&2; }

is_debian() { [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi
}

APT_UPDATED=""
# Install Debian packages that are missing; returns non-zero when it cannot.
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  is_debian || return 1
  say "installing ${missing[*]} (apt-get)"
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq || return 1; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || return 1
}

# A CJK font, so PDFs and the browser show Chinese instead of boxes: one the browser finds,
# and one of the files the default settings' [print] fonts list names.
has_chinese_font() {
  command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null | head -n 1)" ] &&
    { [ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; }
}

ensure_chinese_font() {
  has_chinese_font && return 0
  if apt_install fontconfig fonts-noto-cjk fonts-wqy-microhei; then return 0; fi
  warn "no Chinese font found; install Noto Sans CJK SC (e.g. fonts-noto-cjk) or WenQuanYi Micro Hei"
  return 1
}

ensure_cargo() {
  command -v cargo >/dev/null 2>&1 && return 0
  [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH" && return 0
  warn "cargo (Rust 1.95 or newer) is needed: see https://rustup.rs"
  exit 1
}

# --- PostgreSQL ---------------------------------------------------------------------------
pg_start_local() {
  command -v pg_lsclusters >/dev/null 2>&1 || return 1
  local ver
  ver=$(pg_lsclusters -h 2>/dev/null | awk '$3 == "main" {print $1; exit}')
  [ -n "$ver" ] || return 1
  say "starting the local PostgreSQL $ver cluster"
  as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start >/dev/null 2>&1 || as_root pg_ctlcluster "$ver" main start
}

pg_reachable() { psql "$1/postgres" -Atqc 'select 1' >/dev/null 2>&1; }

# Prints an admin URL (no database) that may create databases, or fails.
pg_admin_url() {
  if [ -n "${HUIYUAN_TEST_PG_URL:-}" ]; then echo "${HUIYUAN_TEST_PG_URL%/}"; return 0; fi
  local trust="postgres://postgres@127.0.0.1:5432"
  pg_reachable "$trust" && { echo "$trust"; return 0; }
  # A server that wants passwords: make a test role through the local superuser.
  if id postgres >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    su postgres -c "psql -Atqc \"DO \\\$\\\$ BEGIN CREATE ROLE huiyuan_test LOGIN CREATEDB PASSWORD 'huiyuan_test'; EXCEPTION WHEN duplicate_object THEN NULL; END \\\$\\\$\"" >/dev/null 2>&1 || true
    local own="postgres://huiyuan_test:huiyuan_test@127.0.0.1:5432"
    pg_reachable "$own" && { echo "$own"; return 0; }
  fi
  return 1
}


# openapi-spec-validator, in a virtual environment under target/tools; prints its path.
OPENAPI_VALIDATOR_VERSION=0.9.0
ensure_openapi_validator() {
  local venv=target/tools/openapi
  local bin="$venv/bin/openapi-spec-validator"
  if [ -x "$bin" ] && "$venv/bin/pip" show openapi-spec-validator 2>/dev/null | grep -qx "Version: $OPENAPI_VALIDATOR_VERSION"; then
    echo "$PWD/$bin"; return 0
  fi
  command -v python3 >/dev/null 2>&1 || apt_install python3 >&2 || return 1
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    apt_install python3-venv >&2 || return 1
    python3 -m venv "$venv" >&2 || return 1
  fi
  say "installing openapi-spec-validator $OPENAPI_VALIDATOR_VERSION"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "openapi-spec-validator==$OPENAPI_VALIDATOR_VERSION" >&2 || return 1
  echo "$PWD/$bin"
}
