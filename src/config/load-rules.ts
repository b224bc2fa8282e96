import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { KeywardenError, type ProblemDetail } from '../errors.js';
import { compileRule, type CompiledRule } from '../engine/compile.js';
import type { RuleSpec } from '../types.js';
import { defaultRulesDir, packageRoot } from './paths.js';
import { schemaValidator, type SchemaValidator } from './ajv.js';
import { ajvProblems } from './schema-errors.js';
import { parseToml } from './toml.js';

export type RuleFileSchema = Record<string, unknown>;

let ruleSchema: RuleFileSchema | undefined;

export function loadRuleSchema(): RuleFileSchema {
  ruleSchema ??= JSON.parse(readFileSync(join(defaultRulesDir(), 'schema.json'), 'utf8')) as RuleFileSchema;
  return ruleSchema;
}

function validator(): SchemaValidator {
  return schemaValidator(loadRuleSchema());
}

function isBundled(file: string): boolean {
  return !relative(defaultRulesDir(), file).startsWith('..');
}

/** Display name of a rule file: relative to the package for bundled rules, else as given. */
function displayName(file: string): string {
  const rel = relative(packageRoot(), file);
  return rel.startsWith('..') ? file : rel.split('\\').join('/');
}

/** Parses and schema-checks one rule file, returning its specs (not yet compiled). */
export function readRuleFile(file: string): RuleSpec[] {
  const name = displayName(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KeywardenError('RULE_INVALID', `cannot read rule file ${name}`, [
      { file: name, message: (err as Error).message },
    ]);
  }
  const data = parseToml(text, name, 'RULE_INVALID');
  const validate = validator();
  if (!validate(data)) {
    throw new KeywardenError('RULE_INVALID', `${name}: invalid rules`, ajvProblems(validate.errors, name, data));
  }
  return (data as { rules: RuleSpec[] }).rules.map((r) => ({ ...r, source: name, bundled: isBundled(file) }));
}

export function defaultRuleFiles(): string[] {
  const dir = defaultRulesDir();
  return readdirSync(dir)
    .filter((f) => f.endsWith('.toml'))
    .sort()
    .map((f) => join(dir, f));
}

/** Compiles specs, collecting every problem (bad regexes, duplicate ids) before throwing. */
export function compileRules(specs: RuleSpec[], opts: { lazy?: (spec: RuleSpec) => boolean } = {}): CompiledRule[] {
  const problems: ProblemDetail[] = [];
  const seen = new Map<string, string | undefined>();
  const out: CompiledRule[] = [];
  for (const spec of specs) {
    const prev = seen.get(spec.id);
    if (seen.has(spec.id)) {
      problems.push({
        file: spec.source,
        ruleId: spec.id,
        field: 'id',
        message: `duplicate rule id (also defined in ${prev ?? 'another file'})`,
      });
      continue;
    }
    seen.set(spec.id, spec.source);
    try {
      out.push(compileRule(spec, { lazy: opts.lazy?.(spec) ?? false }));
    } catch (err) {
      if (err instanceof KeywardenError) problems.push(...err.problems);
      else throw err;
    }
  }
  if (problems.length > 0) {
    throw new KeywardenError('RULE_INVALID', `${problems.length} problem(s) in rules`, problems);
  }
  return out;
}

/** Reads every file (collecting problems across all of them) and returns the specs. */
export function readRuleFiles(files: string[]): RuleSpec[] {
  const problems: ProblemDetail[] = [];
  const specs: RuleSpec[] = [];
  for (const f of files) {
    try {
      specs.push(...readRuleFile(f));
    } catch (err) {
      if (err instanceof KeywardenError) problems.push(...err.problems);
      else throw err;
    }
  }
  if (problems.length > 0) {
    throw new KeywardenError('RULE_INVALID', `${problems.length} problem(s) in rule files`, problems);
  }
  return specs;
}

/** Where `npm run build` writes the bundled rules, parsed and schema-checked, without examples. */
export function ruleBundlePath(): string {
  return join(packageRoot(), 'dist', 'rules.bundle.json');
}

interface RuleBundle {
  digest: string;
  rules: RuleSpec[];
}

/** Identifies the content of the rule files (and schema) a bundle was built from. */
export function rulesDigest(files: string[]): string {
  const h = createHash('sha256');
  for (const f of [...files, join(defaultRulesDir(), 'schema.json')]) {
    h.update(basename(f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

/** The bundled rules without examples, as the build writes them into dist/. */
export function buildRuleBundle(): RuleBundle {
  const files = defaultRuleFiles();
  const rules = readRuleFiles(files).map(({ examples: _examples, ...rest }) => rest);
  return { digest: rulesDigest(files), rules };
}

/**
 * The default rules. Parsing 400 rules' TOML (examples included) and checking them against the
 * schema cost ~60 ms per process and per worker thread; the build does it once and writes the
 * result to dist/. The bundle is used only while it matches the rule files byte for byte.
 */
export function loadDefaultRuleSpecs(): RuleSpec[] {
  const files = defaultRuleFiles();
  let bundle: RuleBundle | undefined;
  try {
    bundle = JSON.parse(readFileSync(ruleBundlePath(), 'utf8')) as RuleBundle;
  } catch {
    bundle = undefined; // not built (running from source) or unreadable: parse the files
  }
  if (bundle && Array.isArray(bundle.rules) && bundle.digest === rulesDigest(files)) return bundle.rules;
  return readRuleFiles(files);
}

