#!/usr/bin/env bash
# Packages the extension (scripts/package.mjs, offline), installs the VSIX into a fresh
# code-server and runs the UI smoke test against it without dev-mode flags
# (test/e2e/vsix-smoke.mjs). Install first with scripts/e2e/install.sh. Prints `N passed,
# N failed` last and exits non-zero on failure.
# GLEANER_VSIX=/abs/x.vsix tests that file instead of packaging; GLEANER_E2E_KEEP=1 keeps the
# temporary run directory (server.log, screenshot) after a pass.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec node test/e2e/vsix-smoke.mjs "$@"
