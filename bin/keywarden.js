#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`keywarden: internal error: ${err?.message ?? err}\n`);
  process.exitCode = 2;
}
