#!/usr/bin/env node
import { run } from './program';

run(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`cfct: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
