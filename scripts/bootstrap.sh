#!/usr/bin/env bash
# Set up everything Permanence needs on a fresh Debian/Ubuntu machine, idempotently:
# Qt's system libraries (when missing), a virtual environment in .venv, the exact versions
# of requirements/lock.txt (hash-checked, with pip alone) and the project itself, editable.
# Says in French what it does; pip's own output goes to .venv/installation.log, shown
# only when a step fails. Sourced by scripts/run-demo, scripts/test and scripts/build-bundle.
# README, "Dependencies and the lock file".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
LOCK="$ROOT/requirements/lock.txt"
PY="${PYTHON:-python3}"

QT_SYSTEM_PACKAGES=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-xkb1 libglib2.0-0 poppler-utils)

install_system_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local missing=()
  for pkg in "${QT_SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installation des bibliothèques système de Qt : ${missing[*]}"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Runs one step of the set-up with its output in the log; on failure shows the log's end.
setup_step() {
  local message="$1"
  shift
  local log="$VENV/installation.log" start
  start=$(($(wc -l <"$log") + 1))
  echo "  $message"
  if ! "$@" >>"$log" 2>&1; then
    echo >&2
    tail -n "+$start" "$log" | tail -n 25 >&2
    echo "Échec de la mise en place (journal complet : .venv/installation.log)." >&2
    return 1
  fi
}

install_python_env() {
  # The stamp names what was installed: the lock, the project's metadata and these steps.
  local stamp
  stamp="$VENV/.installed-$(cat "$LOCK" "$ROOT/pyproject.toml" "${BASH_SOURCE[0]}" |
    sha1sum | cut -c1-12)"
  [ -f "$stamp" ] && return 0

  local duration=""
  if [ -x "$VENV/bin/python" ]; then
    echo "Mise à jour de l'environnement Python (.venv) selon requirements/lock.txt :"
  else
    duration=" (≈ 1 min)"
    echo "Première mise en place de Permanence :"
    if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "Permanence demande Python 3.11 ou plus récent ($PY : $("$PY" -V 2>&1 || echo absent))." >&2
      return 1
    fi
    echo "  Création de l'environnement Python (.venv)…"
    if ! "$PY" -m venv "$VENV" >/dev/null 2>&1; then
      rm -rf "$VENV"
      echo "Impossible de créer l'environnement Python : installez le paquet python3-venv" \
        "(sudo apt-get install python3-venv), puis relancez." >&2
      return 1
    fi
  fi
  : >"$VENV/installation.log"
  local pip=("$VENV/bin/python" -m pip --disable-pip-version-check)
  setup_step "Installation des dépendances verrouillées$duration…" \
    "${pip[@]}" install --require-hashes -r "$LOCK"
  # --no-build-isolation: the build backend comes from the lock, not from the newest release.
  setup_step "Installation de Permanence depuis ce dossier (modifiable)…" \
    "${pip[@]}" install --no-deps --no-build-isolation -e "$ROOT"
  setup_step "Vérification des versions installées…" verify_python_env
  rm -f "$VENV"/.installed-*
  touch "$stamp"
  echo "Prêt."
}

# Drops what an older lock installed, checks every locked version is the one installed and
# that the lock satisfies pyproject.toml's requirements (a dependency added to
# pyproject.toml without running scripts/refresh-lock fails here).
verify_python_env() {
  "$VENV/bin/python" "$ROOT/scripts/check-lock.py" --prune &&
    "$VENV/bin/python" -m pip check ||
    { echo "Si pyproject.toml a changé, lancez scripts/refresh-lock."; return 1; }
}

install_system_packages
install_python_env
