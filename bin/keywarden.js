#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// A reader that went away (`keywarden scan | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`keywarden: internal error: ${err?.message ?? err}\n`);
  process.exitCode = 2;
}
