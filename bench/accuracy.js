#!/usr/bin/env node
// npm run accuracy [-- --json] [-- --corpus FILE] [-- --show-all]
// Recall and false-positive firing of keywarden's default rules on an outside corpus: the labeled
// cases of gitleaks' own rule tests. Each case is written to its own file (under the file name the
// case names, else a neutral one) and the whole set is scanned once, in-process, through the same
// library call `keywarden scan` makes (default rules, default allowlists, no config), so path-scoped
// rules, path allowlists and inline ignores behave as in a real scan.
//
// A tp case counts as found when any keywarden finding fires in its file: a secret reported under
// another (correct) rule is still found.
//
// fp labels are relative to one gitleaks rule, as in gitleaks' own tests, which run each rule alone
// on its cases. The same text can be tp for one rule and fp for another: an Anthropic API key
// (sk-ant-api03-...) is a tp case of anthropic-api-key and an fp case of anthropic-admin-api-key,
// and Cloudflare origin-CA keys are fp cases of the global-key rule and vice versa. Counting "any
// finding in the file" as firing would call the correct anthropic-api-key finding a false positive.
// So the headline fp figure is rule-relative: an fp case of gitleaks rule X fires when a keywarden
// rule that covers X fires (the `gitleaks` field of a rule; a rule without it covers the gitleaks
// rule of its own id). The strict any-finding figure is printed too, on the line below, and every
// firing is listed, those that count under the rule-relative figure marked with *.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDefaultRuleSpecs, rulesByGitleaksId, scanPaths } from '../dist/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_CORPUS = resolve(ROOT, '..', 'shared', 'corpus', 'gitleaks-rule-cases.jsonl');
/** Cases without a file name are scanned under this one: no rule or allowlist keys on it. */
const NEUTRAL_NAME = 'snippet.txt';

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? def : process.argv[i + 1];
}
const flag = (name) => process.argv.includes(`--${name}`);

const pct = (n, d) => (d === 0 ? 0 : Math.round((n / d) * 10000) / 100);

/** A short excerpt with every token-like run cut to a 4-character prefix, so no secret is printed. */
export function redactedExcerpt(text, width = 72) {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const masked = oneLine.replace(/[A-Za-z0-9+/=_.~:@%$#&*!-]{10,}/g, (tok) => `${tok.slice(0, 4)}*****`);
  return masked.length > width ? `${masked.slice(0, width - 1)}…` : masked;
}

function readCases(file) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => ({ ...JSON.parse(l), line: i + 1 }));
}

/** Writes each case to `<dir>/cNNNNN/<name>` and returns the directory prefix of each. */
function writeCases(cases, dir) {
  const width = String(cases.length).length;
  return cases.map((c, i) => {
    const prefix = `c${String(i).padStart(width, '0')}`;
    const rel = c.path ?? NEUTRAL_NAME;
    const abs = join(dir, prefix, ...rel.split('/'));
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, c.text);
    return prefix;
  });
}

export async function measure(corpusFile) {
  const cases = readCases(corpusFile);
  const dir = mkdtempSync(join(tmpdir(), 'kw-accuracy-'));
  try {
    const prefixes = writeCases(cases, dir);
    const started = performance.now();
    const result = await scanPaths({ paths: [dir], gitignore: false, redact: true });
    const scanMs = performance.now() - started;
    const firedBy = new Map();
    for (const f of result.findings) {
      const prefix = f.file.split('/')[0];
      if (!firedBy.has(prefix)) firedBy.set(prefix, new Set());
      firedBy.get(prefix).add(f.ruleId);
    }
    const coveredBy = rulesByGitleaksId(loadDefaultRuleSpecs());
    return { cases, prefixes, firedBy, coveredBy, scanMs, rulesLoaded: result.stats.rulesLoaded, incomplete: !result.complete };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function summarize({ cases, prefixes, firedBy, coveredBy, rulesLoaded }) {
  const byRule = new Map();
  const fpFirings = [];
  let tp = 0;
  let tpFound = 0;
  let fp = 0;
  let fpFired = 0;
  let fpFiredAny = 0;
  cases.forEach((c, i) => {
    const fired = [...(firedBy.get(prefixes[i]) ?? [])].sort();
    if (!byRule.has(c.rule)) byRule.set(c.rule, { rule: c.rule, tp: 0, missed: 0, fp: 0, fired: 0, excerpt: undefined });
    const r = byRule.get(c.rule);
    if (c.label === 'tp') {
      tp++;
      r.tp++;
      if (fired.length > 0) tpFound++;
      else {
        r.missed++;
        r.excerpt ??= { line: c.line, path: c.path, text: redactedExcerpt(c.text) };
      }
    } else {
      fp++;
      r.fp++;
      if (fired.length > 0) {
        fpFiredAny++;
        const covering = new Set(coveredBy.get(c.rule) ?? []);
        const ruleRelative = fired.some((id) => covering.has(id));
        if (ruleRelative) {
          fpFired++;
          r.fired++;
        }
        fpFirings.push({ rule: c.rule, line: c.line, path: c.path, ruleRelative, firedBy: fired, excerpt: redactedExcerpt(c.text) });
      }
    }
  });
  const rules = [...byRule.values()].sort((a, b) => (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
  return {
    corpusCases: cases.length,
    rulesLoaded,
    recall: { found: tpFound, total: tp, percent: pct(tpFound, tp) },
    fpFiring: { fired: fpFired, total: fp, percent: pct(fpFired, fp) },
    fpFiringAnyFinding: { fired: fpFiredAny, total: fp, percent: pct(fpFiredAny, fp) },
    uncoveredGitleaksRules: rules.filter((r) => !coveredBy.has(r.rule)).map((r) => r.rule),
    misses: rules
      .filter((r) => r.missed > 0)
      .map((r) => ({ rule: r.rule, missed: r.missed, total: r.tp, excerpt: r.excerpt })),
    fpFirings,
  };
}

function printText(s, scanMs) {
  const out = [];
  out.push(`keywarden accuracy on ${s.corpusCases} gitleaks rule cases (${s.rulesLoaded} rules loaded)`);
  out.push(`recall on tp:      ${s.recall.found}/${s.recall.total} = ${s.recall.percent.toFixed(2)}%`);
  out.push(`fp cases firing:   ${s.fpFiring.fired}/${s.fpFiring.total} = ${s.fpFiring.percent.toFixed(2)}% (rule-relative: a keywarden rule covering the case's gitleaks rule fires)`);
  out.push(`  any finding:      ${s.fpFiringAnyFinding.fired}/${s.fpFiringAnyFinding.total} = ${s.fpFiringAnyFinding.percent.toFixed(2)}% (strict: any keywarden finding in the case's file)`);
  out.push(`gitleaks rules no keywarden rule covers (${s.uncoveredGitleaksRules.length}; their fp cases count only in the strict figure): ${s.uncoveredGitleaksRules.join(' ')}`);
  out.push('');
  out.push(`missed tp cases by gitleaks rule (${s.misses.length} rules):`);
  for (const m of s.misses) {
    out.push(`  ${m.rule.padEnd(40)} ${String(m.missed).padStart(4)}/${String(m.total).padEnd(4)} line ${m.excerpt.line}${m.excerpt.path ? ` [${m.excerpt.path}]` : ''}: ${m.excerpt.text}`);
  }
  out.push('');
  out.push(`fp cases with any finding (${s.fpFirings.length}; * = counts as rule-relative firing):`);
  for (const f of s.fpFirings) {
    out.push(`${f.ruleRelative ? '*' : ' '} ${f.rule.padEnd(40)} line ${f.line}${f.path ? ` [${f.path}]` : ''} <- ${f.firedBy.join(', ')}: ${f.excerpt}`);
  }
  if (scanMs !== undefined) out.push('', `scan time: ${(scanMs / 1000).toFixed(2)} s`);
  return `${out.join('\n')}\n`;
}

async function main() {
  const corpus = resolve(arg('corpus', DEFAULT_CORPUS));
  const measured = await measure(corpus);
  if (measured.incomplete) process.stderr.write('keywarden accuracy: warning: the scan reported errors (incomplete)\n');
  const summary = summarize(measured);
  // the timing is left out of --json so that output is byte-for-byte deterministic
  process.stdout.write(flag('json') ? `${JSON.stringify(summary, null, 2)}\n` : printText(summary, flag('no-time') ? undefined : measured.scanMs));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
