// Redaction over generated input: whatever the secret and whatever surrounds it, no report format
// shows more of a secret than redact()'s prefix (at most 4 characters, at most a fifth of it).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildFindings } from '../../src/findings/build.js';
import { isInlineAllowed } from '../../src/findings/inline-ignore.js';
import { MASK, redact } from '../../src/findings/redact.js';
import { REPORTERS } from '../../src/reporters/index.js';
import { buildRuleSet } from '../../src/rules.js';
import type { RuleSpec, ScanResult } from '../../src/types.js';

const NUM_RUNS = Number(process.env.KW_PROPERTY_RUNS ?? 100);
const META = { tool: { name: 'keywarden', version: '0.0.0', informationUri: 'https://example.invalid' } };

// Secrets are upper-case letters: no report writes six of those in a row on its own (hashes and
// fingerprints are lower-case hex), so six of a secret's letters in a row in a report are a leak.
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const WINDOW = 6;

const rules: RuleSpec[] = [
  { id: 'demo-token', description: 'demo token', provider: 'demo', severity: 'high', confidence: 'high', keywords: ['dmo_'], regex: String.raw`\b(dmo_[A-Z]{20,60})\b` },
  { id: 'demo-assign', description: 'demo assignment', provider: 'demo', severity: 'medium', confidence: 'high', keywords: ['key='], regex: String.raw`key=([A-Z_a-z]{12,80})` },
  { id: 'demo-block', description: 'demo block', provider: 'demo', severity: 'high', confidence: 'high', keywords: ['-----begin demo'], regex: String.raw`(-----BEGIN DEMO-----[\s\S]{8,400}?-----END DEMO-----)` },
];
const ruleSet = buildRuleSet({ useDefaultRules: false, ruleFiles: [], rules, disabledRules: [] });

const secretBody = fc.string({ unit: fc.constantFrom(...UPPER), minLength: 20, maxLength: 60 });

/** A piece of a line: one of the secret forms, or noise (never a line break inside a single-line form). */
const piece = (secrets: string[]) =>
  fc.oneof(
    fc.constantFrom(...secrets).map((s) => `dmo_${s}`),
    fc.constantFrom(...secrets).map((s) => `key=${s}`),
    fc.constantFrom(...secrets).map((s) => `key=dmo_${s}`),
    fc.constantFrom(...secrets).map((s) => `-----BEGIN DEMO-----\n${s}\n-----END DEMO-----`),
    // the same secret again where no rule matches it (a copy, a log line): still never shown
    fc.constantFrom(...secrets).map((s) => `x${s}`),
    fc.constantFrom(...secrets).map((s) => `xdmo_${s}`),
    fc.string({ unit: fc.constantFrom(...'abc xyz,;:"\'=<>&%\t\u00e9\u{1F511}'), maxLength: 30 }),
    fc.constantFrom('\n', '\r\n', ' keywarden:allow '),
  );

const fileText = secretBody.chain((a) => secretBody.chain((b) => fc.array(piece([a, b]), { minLength: 1, maxLength: 12 }).map((parts) => ({ secrets: [a, b], text: parts.join(' ') }))));

function leaks(report: string, secret: string): string | undefined {
  for (let i = 0; i + WINDOW <= secret.length; i++) {
    const w = secret.slice(i, i + WINDOW);
    if (report.includes(w)) return w;
  }
  return undefined;
}

describe('redaction properties', () => {
  it('redact() shows at most min(4, length/5) leading characters, then the mask, never a line break', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.integer({ min: 0, max: 8 }), (s, maxVisible) => {
        const r = redact(s, maxVisible);
        expect(r.endsWith(MASK)).toBe(true);
        const shown = [...r.slice(0, -MASK.length)];
        const chars = [...s];
        expect(shown.length).toBeLessThanOrEqual(chars.length < 10 ? 0 : Math.min(maxVisible, Math.floor(chars.length / 5)));
        expect(chars.slice(0, shown.length)).toEqual(shown);
        expect(r).not.toMatch(/[\r\n]/);
      }),
      { numRuns: NUM_RUNS * 5 },
    );
  });

  it('no reporter output holds more of a secret than its redacted prefix, whatever surrounds it', () => {
    fc.assert(
      fc.property(fileText, fc.constantFrom('app.env', 'dir, "x"/a<b>.txt', 'line\nbreak.txt'), ({ secrets, text }, path) => {
        const fragment = { bytes: Buffer.from(text), path };
        const r = ruleSet.engine.scan(fragment);
        const findings = buildFindings(fragment, r.matches, r.lines, ruleSet.meta, { redact: true });
        const result: ScanResult = {
          findings,
          diagnostics: [],
          stats: { filesScanned: 1, bytesScanned: text.length, skipped: {}, rulesLoaded: rules.length, findings: findings.length, durationMs: 1 },
          complete: true,
        };
        const bytes = fragment.bytes;
        // matches on a line marked keywarden:allow are no findings: the user said they are no secrets
        const found = r.matches.filter((m) => !isInlineAllowed(bytes.toString('utf8', r.lines.lineRange(m.line - 1)[0], r.lines.lineRange(m.endLine - 1)[1])));
        // A secret every occurrence of which keywarden found: no part of it may show. One that
        // also occurs where no rule found it (the body of a token without its prefix) may show
        // there; copies of what was found may not (checked below).
        const fullyFound = secrets.filter((sec) => {
          const needle = Buffer.from(sec);
          let at = bytes.indexOf(needle);
          if (at === -1) return false;
          for (; at !== -1; at = bytes.indexOf(needle, at + 1)) {
            if (!found.some((m) => m.start <= at && at + needle.length <= m.end)) return false;
          }
          return true;
        });
        const foundParts = found.flatMap((m) => m.secret.split(/\r?\n/)).filter((p) => p.length >= 8);
        for (const [format, reporter] of Object.entries(REPORTERS)) {
          const out = reporter(result, { ...META, rules: [...ruleSet.meta.values()] });
          for (const sec of fullyFound) expect(leaks(out, sec), `${format} report shows part of a secret`).toBeUndefined();
          for (const part of foundParts) expect(out.includes(part), `${format} report shows a copy of a found secret`).toBe(false);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
