#!/usr/bin/env bash
# Installs what dlgrade needs on Debian: the Python that runs student code, the sandbox, Chromium for the browser test, and the npm packages.
# Idempotent: apt runs only when a package is missing, npm ci only when node_modules is stale.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: the class report's browser test (driven by playwright-core, never a downloaded browser).
# bubblewrap and util-linux (prlimit, setpriv) make the sandbox that student code runs in.
# libopenblas0-pthread: Debian's PyTorch and NumPy use whichever libblas.so.3 is installed, and the default reference
# BLAS makes a correct style-transfer submission's own work about 20× slower (the sandbox pins it to one thread).
DEBIAN_PACKAGES=(python3-numpy python3-torch libopenblas0-pthread bubblewrap util-linux chromium)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "warning: not a Debian system; install ${missing[*]} yourself (or point --python at an interpreter with NumPy and PyTorch)" >&2
  fi
fi

# npm ci when the lock file is newer than the installed tree (or nothing is installed).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
