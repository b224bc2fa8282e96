// A self-contained rule set for CLI tests (a "dmo_" token rule, default rules off), so those
// tests pin keywarden's behaviour rather than the bundled rules.
import { SeededRandom } from './example-generator.js';

export const DEMO_CONFIG = `
[extend]
useDefault = false

[[rules]]
id = "demo-token"
description = "Demo service token"
provider = "demo"
severity = "high"
confidence = "high"
keywords = ["dmo_"]
regex = '''\\b(dmo_[A-Za-z0-9]{24})\\b'''
`;

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A generator of synthetic demo tokens, deterministic per seed. */
export function demoTokens(seed: string): () => string {
  const rng = new SeededRandom(seed);
  return () => `dmo_${rng.chars(ALNUM, 24)}`;
}
