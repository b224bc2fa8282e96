#!/usr/bin/env node
// npm's install step for keywarden itself: builds the native addon (native/prefilter.cc, the
// keyword prefilter, and native/os-pipe.cc, pipes for history workers) with node-gyp. Scans work
// without it, on the portable RE2.Set prefilter and a main thread relaying git's output, so a
// machine without a C++ compiler gets a warning rather than a failed install;
// KEYWARDEN_REQUIRE_NATIVE=1 (set by .ci/run) makes a failed build fail the install.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// npm runs install scripts with its own node-gyp on PATH and in npm_config_node_gyp
const gyp = process.env.npm_config_node_gyp;
const [cmd, args] = gyp ? [process.execPath, [gyp, 'rebuild']] : ['node-gyp', ['rebuild']];
const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
if (r.status !== 0) {
  const why = r.error ? r.error.message : (r.stderr.split('\n').find((l) => /error/i.test(l)) ?? `exit ${r.status}`).trim();
  process.stderr.write(`keywarden: the native addon (keyword prefilter, pipes for history workers) was not built (${why}); scans use the portable paths, which are slower\n`);
  process.exit(process.env.KEYWARDEN_REQUIRE_NATIVE === '1' ? 1 : 0);
}
