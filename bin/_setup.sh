# Shared by bin/demo and bin/test: find a Python 3.12+, make .venv, install, write .env,
# compile the translations.
# Honours $PYTHON; otherwise looks for python3.13/3.12/python3 on PATH and pyenv's versions.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

python_ok() {
  "$@" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
  if [ -n "${PYTHON:-}" ]; then
    if python_ok "$PYTHON"; then echo "$PYTHON"; return 0; fi
    echo "PYTHON=$PYTHON is not a Python 3.12 or newer." >&2; return 1
  fi
  local candidate
  for candidate in python3.13 python3.12 python3 python; do
    if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then
      command -v "$candidate"; return 0
    fi
  done
  # pyenv shims answer only for the selected version: look at the installed versions instead.
  local root="${PYENV_ROOT:-$HOME/.pyenv}"
  for candidate in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] \
      /usr/bin/python3.1[2-9] 2>/dev/null | sort -rV); do
    if python_ok "$candidate"; then echo "$candidate"; return 0; fi
  done
  echo "No Python 3.12 or newer found. Install one, or set PYTHON=/path/to/python3.12." >&2
  return 1
}

ensure_venv() {
  # $1: the requirements file to install.
  local requirements="$1" stamp="$VENV/.installed" digest
  if [ ! -x "$VENV/bin/python" ] || ! python_ok "$VENV/bin/python"; then
    local python
    python="$(find_python)"
    echo "Creating .venv with $("$python" --version 2>&1) ($python)"
    rm -rf "$VENV"
    "$python" -m venv "$VENV"
  fi
  digest="$(cat "$ROOT/requirements.txt" "$ROOT/$requirements" | sha256sum | cut -d' ' -f1)-$requirements"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]; then
    echo "Installing $requirements"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/$requirements"
    echo "$digest" > "$stamp"
  fi
}

ensure_env_file() {
  # Development only: write .env from .env.example with fresh secrets; add keys it lacks.
  local python="$VENV/bin/python"
  if [ ! -f "$ROOT/.env" ]; then
    local key
    key="$("$python" -c 'import secrets; print(secrets.token_urlsafe(50))')"
    sed "s|^DJANGO_SECRET_KEY=.*|DJANGO_SECRET_KEY=$key|" "$ROOT/.env.example" > "$ROOT/.env"
    echo "Wrote .env from .env.example (development settings)"
  fi
  if ! grep -q '^TOKEN_ENCRYPTION_KEYS=.' "$ROOT/.env"; then
    local fernet_key
    fernet_key="$("$python" -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')"
    sed -i '/^TOKEN_ENCRYPTION_KEYS=/d' "$ROOT/.env"
    echo "TOKEN_ENCRYPTION_KEYS=$fernet_key" >> "$ROOT/.env"
    echo "Added a TOKEN_ENCRYPTION_KEYS key to .env"
  fi
}

compile_messages() {
  # Compile locale/*/LC_MESSAGES/django.po to .mo with Babel (pure Python: no GNU gettext needed).
  # Quiet unless it fails; skipped when every .mo is newer than its .po.
  local po stale="" output
  for po in "$ROOT"/locale/*/LC_MESSAGES/django.po; do
    [ -f "$po" ] || continue
    if [ ! "${po%.po}.mo" -nt "$po" ]; then stale=1; break; fi
  done
  [ -n "$stale" ] || return 0
  if ! output="$("$VENV/bin/pybabel" -q compile -d "$ROOT/locale" -D django 2>&1)"; then
    echo "Compiling the translations (locale/) failed:" >&2
    echo "$output" >&2
    return 1
  fi
}
