#!/usr/bin/env node
// Part of `npm run build`: writes dist/rules.bundle.json, the bundled rules parsed and
// schema-checked once, so that each scan (and each worker thread) skips TOML and schema work.
import { writeFileSync } from 'node:fs';
import { buildRuleBundle, ruleBundlePath } from '../dist/config/load-rules.js';

const bundle = buildRuleBundle();
writeFileSync(ruleBundlePath(), `${JSON.stringify(bundle)}\n`);
console.log(`rules bundle: ${bundle.rules.length} rules -> ${ruleBundlePath()}`);
