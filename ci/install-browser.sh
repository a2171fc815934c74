#!/usr/bin/env bash
# Installs Debian's headless Chromium and its WebDriver for tests/browser.rs,
# when they are missing. Non-interactive; uses sudo only when not root.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  echo "chromium and chromedriver are already installed"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo -n)
else
  echo "error: installing chromium needs root or sudo" >&2
  exit 1
fi

# fonts-liberation is only a recommendation of chromium; without a font the
# screenshots in target/screenshots show boxes instead of text.
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q --no-install-recommends chromium chromium-driver fonts-liberation

/usr/bin/chromium --version
/usr/bin/chromedriver --version
