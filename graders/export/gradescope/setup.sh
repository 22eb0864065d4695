#!/usr/bin/env bash
# Gradescope runs this once while it builds the autograder image: Node.js 20+, Python with NumPy and PyTorch (for
# an assignment that runs code), and dlgrade's npm packages. Each step runs only when what it installs is missing, so running it twice is harmless.
# AUTOGRADER_ROOT (default /autograder) moves the whole layout, for trying the bundle outside Gradescope.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
DLGRADE="$ROOT/source/dlgrade"
NODE_VERSION="${NODE_VERSION:-20.18.1}"
PYTHON="${DLGRADE_PYTHON:-python3}"
export DEBIAN_FRONTEND=noninteractive PIP_BREAK_SYSTEM_PACKAGES=1

node_ok() { command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ]; }
if ! node_ok; then
  echo "setup: installing Node.js $NODE_VERSION"
  apt-get update -qq && apt-get install -y -qq curl xz-utils ca-certificates >/dev/null
  curl -fsSL "${NODE_DIST:-https://nodejs.org/dist}/v$NODE_VERSION/node-v$NODE_VERSION-linux-x64.tar.xz" | tar -xJ -C /usr/local --strip-components=1
fi
echo "setup: node $(node --version)"

# Python, PyTorch, a BLAS and the sandbox are for running student code; an answers assignment runs none.
if [ "@RUNS_CODE@" = 1 ]; then
  if ! "$PYTHON" -c 'import numpy, torch' >/dev/null 2>&1; then
    echo "setup: installing NumPy and PyTorch (CPU build) for $PYTHON"
    "$PYTHON" -m pip --version >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq python3 python3-pip >/dev/null; }
    "$PYTHON" -m pip install --quiet numpy
    "$PYTHON" -m pip install --quiet torch --index-url "${TORCH_INDEX_URL:-https://download.pytorch.org/whl/cpu}"
  fi
  echo "setup: $("$PYTHON" -c 'import sys, numpy, torch; print("python", sys.version.split()[0], "numpy", numpy.__version__, "torch", torch.__version__)')"

  # An optimised BLAS for a Debian-packaged NumPy/PyTorch (pip's wheels bring their own); one thread per sandbox.
  if command -v apt-get >/dev/null 2>&1 && ! dpkg-query -W -f='${Status}' libopenblas0-pthread 2>/dev/null | grep -q "install ok installed"; then
    echo "setup: installing OpenBLAS (libopenblas0-pthread)"
    apt-get update -qq && apt-get install -y -qq libopenblas0-pthread >/dev/null || echo "setup: OpenBLAS unavailable; the reference BLAS is slower but gives the same verdicts"
  fi

  if ! command -v bwrap >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing bubblewrap (the sandbox student code runs in)"
    apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null || echo "setup: bubblewrap unavailable; run_autograder will grade without it"
  fi
fi

if [ ! -f "$DLGRADE/node_modules/.package-lock.json" ]; then
  echo "setup: installing dlgrade's npm packages"
  (cd "$DLGRADE" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
echo "setup: dlgrade $(node "$DLGRADE/bin/dlgrade.js" --version) for @ASSIGNMENT@ is ready"
