// Every rule's own examples, run through the full engine with every default rule loaded.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileRules, defaultRuleFiles, readRuleFile } from '../../src/config/load-rules.js';
import { Engine } from '../../src/engine/detect.js';
import type { RuleSpec } from '../../src/types.js';
import { expandExample } from '../support/example-generator.js';

const files = defaultRuleFiles();
const specsByFile = new Map<string, RuleSpec[]>(files.map((f) => [f, readRuleFile(f)]));
const allSpecs = [...specsByFile.values()].flat();
const engine = new Engine(compileRules(allSpecs));
const DEFAULT_PATH = 'src/app.txt';

function findingsOf(text: string, path: string, ruleId: string) {
  return engine.scan({ bytes: Buffer.from(text, 'utf8'), path }).matches.filter((m) => m.ruleId === ruleId);
}

describe('rule set', () => {
  it('has unique ids across all files', () => {
    const ids = allSpecs.map((s) => s.id);
    expect(ids.length).toBe(new Set(ids).size);
  });

  it('scanning the raw rule files finds nothing (templates are not secrets)', () => {
    for (const f of files) {
      const bytes = readFileSync(f);
      const found = engine.scan({ bytes, path: `rules/${basename(f)}` }).matches;
      expect(
        found.map((m) => `${basename(f)}:${m.line} ${m.ruleId}`),
        'a rule file contains a literal secret-like string',
      ).toEqual([]);
    }
  });
});

for (const [file, specs] of specsByFile) {
  const name = basename(file);
  describe(`rules/${name}`, () => {
    for (const spec of specs) {
      const examples = spec.examples ?? [];
      const tps = examples.filter((e) => e.tp !== undefined);
      const fps = examples.filter((e) => e.fp !== undefined);

      it(`${name} ${spec.id}: has true- and false-positive examples, no duplicates`, () => {
        expect(tps.length, 'at least one tp example').toBeGreaterThan(0);
        expect(fps.length, 'at least one fp example').toBeGreaterThan(0);
        const texts = examples.map((e) => `${e.path ?? ''}\0${e.tp ?? e.fp}`);
        expect(texts.length, 'duplicate examples').toBe(new Set(texts).size);
      });

      it(`${name} ${spec.id}: every keyword is exercised by a tp example`, () => {
        const expanded = tps.map((e, i) => expandExample(e.tp!, `${spec.id}#tp${i}`).text.toLowerCase());
        // "api_key", "api-key" and "api.key" are spellings of one name: a tp example with any of
        // them exercises all (the name itself must still occur)
        const unseparated = expanded.map((t) => t.replace(/[_.-]/g, ''));
        for (const kw of spec.keywords) {
          const k = kw.toLowerCase();
          const bare = k.replace(/[_.-]/g, '');
          expect(
            expanded.some((t) => t.includes(k)) || (bare.length >= 4 && unseparated.some((t) => t.includes(bare))),
            `keyword "${kw}" occurs in no tp example`,
          ).toBe(true);
        }
      });

      tps.forEach((ex, i) => {
        it(`${name} ${spec.id}: tp #${i + 1} is found with exactly the marked secret`, () => {
          const { text, secret } = expandExample(ex.tp!, `${spec.id}#tp${i}`);
          expect(secret, 'tp examples mark the secret with « »').toBeDefined();
          const found = findingsOf(text, ex.path ?? DEFAULT_PATH, spec.id);
          expect(
            found.map((m) => m.secret),
            `rule ${spec.id} should report the marked secret in: ${text}`,
          ).toContain(secret);
        });
      });

      fps.forEach((ex, i) => {
        it(`${name} ${spec.id}: fp #${i + 1} is not reported`, () => {
          const { text } = expandExample(ex.fp!, `${spec.id}#fp${i}`);
          const found = findingsOf(text, ex.path ?? DEFAULT_PATH, spec.id);
          expect(found.map((m) => m.secret), `rule ${spec.id} must not fire on: ${text}`).toEqual([]);
        });
      });
    }
  });
}
