#!/usr/bin/env bash
# System packages the build needs besides npm's: Debian's Python build tools (the Python sdist
# and wheel are built without PyPI) and Chromium (the plan report is checked in a browser).
# Idempotent: a no-op when they are present. Installs what is missing with apt-get when running
# as root (or with password-less sudo); otherwise says what to run and fails.
set -euo pipefail

PACKAGES=(python3-build python3-setuptools python3-wheel chromium)
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
# The interpreter package:python builds with (tests point it elsewhere).
PYTHON="${SETUP_PYTHON:-/usr/bin/python3}"

present() {
  "$PYTHON" -c 'import build, setuptools, wheel' >/dev/null 2>&1 && [ -x "$CHROMIUM" ]
}

if present; then
  echo "setup:system: system packages present (python3 build/setuptools/wheel, $CHROMIUM)"
  exit 0
fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
else
  missing=("${PACKAGES[@]}")
fi
if [ ${#missing[@]} -eq 0 ]; then missing=("${PACKAGES[@]}"); fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup:system: missing system packages and no apt-get here. Install the equivalents of: ${missing[*]}" >&2
  echo "  (Python 3 with the build, setuptools and wheel modules at $PYTHON, and Chromium at $CHROMIUM or \$CHROMIUM_PATH)" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "setup:system: missing system packages: ${missing[*]}" >&2
  echo "  install them as root, then run the build again:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "setup:system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
present || { echo "setup:system: packages installed but python3 build/setuptools/wheel or $CHROMIUM still missing" >&2; exit 1; }
