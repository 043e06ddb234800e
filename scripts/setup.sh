#!/usr/bin/env bash
# Bring a checkout to the point where `make run` and `make test` work.
#
# Idempotent and quick when nothing changed: the virtualenv is made once, pip
# runs only when pyproject.toml differs from the one last installed, system
# packages are installed only when missing, and translations are compiled only
# when a .po file is newer than its .mo.
#
# Environment:
#   SETUP_SKIP_SYSTEM_PACKAGES=1  never call apt-get, only report what is missing
set -euo pipefail

cd "$(dirname "$0")/.."

VENV=.venv
STAMP="$VENV/.installed-pyproject.sha256"
# fonts-noto-cjk: Chinese text in PDFs; poppler-utils: pdftotext for the PDF
# tests; chromium: browser tests; gettext: msgfmt for compilemessages.
SYSTEM_PACKAGES=(fonts-noto-cjk poppler-utils chromium gettext)

say() { printf '==> %s\n' "$*"; }
warn() { printf '!!  %s\n' "$*" >&2; }

is_python_311() {
    "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' >/dev/null 2>&1
}

find_python() {
    local candidate
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && is_python_311 "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

ensure_virtualenv() {
    if [[ -x "$VENV/bin/python" ]] && is_python_311 "$VENV/bin/python"; then
        return 0
    fi
    local python
    if ! python=$(find_python); then
        warn "Python 3.11 is required (neither python3.11 nor python3 is 3.11)."
        warn "On Debian/Ubuntu: sudo apt-get install python3.11 python3.11-venv"
        exit 1
    fi
    if [[ -e "$VENV" ]]; then
        say "Replacing $VENV: its interpreter is missing or not Python 3.11"
        rm -rf "$VENV"
    fi
    say "Creating $VENV with $python"
    "$python" -m venv "$VENV"
}

ensure_python_packages() {
    local wanted
    wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
    if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$wanted" ]]; then
        return 0
    fi
    say "Installing the project and its dev dependencies (pyproject.toml changed)"
    "$VENV/bin/pip" install --disable-pip-version-check -e '.[dev]'
    echo "$wanted" >"$STAMP"
}

missing_system_packages() {
    local package status
    for package in "${SYSTEM_PACKAGES[@]}"; do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
        [[ "$status" == "installed" ]] || printf '%s\n' "$package"
    done
}

ensure_system_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
        warn "Not a Debian/Ubuntu system: install the equivalents of ${SYSTEM_PACKAGES[*]}"
        warn "(on Debian: sudo apt-get install ${SYSTEM_PACKAGES[*]}). Continuing without them."
        return 0
    fi
    local missing
    mapfile -t missing < <(missing_system_packages)
    if [[ ${#missing[@]} -eq 0 ]]; then
        return 0
    fi
    local install=(apt-get install -y --no-install-recommends "${missing[@]}")
    if [[ "$(id -u)" -ne 0 || "${SETUP_SKIP_SYSTEM_PACKAGES:-0}" == "1" ]]; then
        warn "Missing system packages: ${missing[*]}. Install them with:"
        warn "    sudo apt-get update && sudo ${install[*]}"
        warn "Continuing: Chinese PDFs, the PDF and browser tests or translations may not work."
        return 0
    fi
    say "Installing system packages: ${missing[*]}"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${install[@]}"; }; then
        warn "apt-get failed; install them yourself with: apt-get update && ${install[*]}"
    fi
}

translations_out_of_date() {
    local po mo
    while IFS= read -r -d '' po; do
        mo="${po%.po}.mo"
        if [[ ! -f "$mo" || "$po" -nt "$mo" ]]; then
            return 0
        fi
    done < <(find . \( -path ./.venv -o -path ./.git -o -path ./node_modules \) -prune \
        -o -name '*.po' -path '*/LC_MESSAGES/*' -print0)
    return 1
}

compile_translations() {
    translations_out_of_date || return 0
    if ! command -v msgfmt >/dev/null 2>&1; then
        warn "msgfmt not found (package gettext): translations are not compiled."
        return 0
    fi
    say "Compiling translations"
    "$VENV/bin/python" manage.py compilemessages --ignore=.venv --ignore=node_modules --verbosity 0
}

ensure_virtualenv
ensure_python_packages
ensure_system_packages
compile_translations
