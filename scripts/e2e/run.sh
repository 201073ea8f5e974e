#!/usr/bin/env bash
# Runs the real-VS-Code end-to-end suite (test/e2e/run.mjs). Install first with
# scripts/e2e/install.sh. Prints `N passed, N failed` last and exits non-zero on failure.
# GLEANER_E2E_SKIP_BUILD=1 skips `node esbuild.mjs` (when dist/ is already built);
# GLEANER_E2E_KEEP=1 keeps the temporary run directory (server.log, results) after a pass.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec node test/e2e/run.mjs "$@"
