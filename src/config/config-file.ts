// .keywarden.toml: extend or replace the default rules, disable rules, add allowlists, scan limits.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { KeywardenError, type ProblemDetail } from '../errors.js';
import type { AllowlistSpec, RuleSpec } from '../types.js';
import { loadRuleSchema } from './load-rules.js';
import { importGitleaksConfig, isGitleaksConfig } from './gitleaks-import.js';
import { schemaValidator } from './ajv.js';
import { ajvProblems } from './schema-errors.js';
import { parseToml } from './toml.js';


export const CONFIG_FILE_NAME = '.keywarden.toml';

export interface KeywardenConfig {
  /** Absolute path of the file the config came from, if any. */
  file?: string;
  /** false replaces the default rules with `rules` and `ruleFiles`. */
  useDefaultRules: boolean;
  /** Extra rule files, absolute. */
  ruleFiles: string[];
  rules: RuleSpec[];
  disabledRules: string[];
  allowlist?: AllowlistSpec;
  maxFileSize?: number;
  /** [audit]: key hygiene policy for `keywarden audit`. */
  audit?: { maxAgeDays?: number };
  /** 'gitleaks' when the file was a gitleaks config translated on load. */
  format?: 'keywarden' | 'gitleaks';
  /** What could not be translated from a gitleaks config (the rest applies). */
  warnings?: ProblemDetail[];
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** "10MiB", "512kb", "1000" or a number -> bytes; undefined when unparseable. */
export function parseSize(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? Math.floor(v) : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(v);
  if (!m) return undefined;
  const unit = SIZE_UNITS[(m[2] || 'b').toLowerCase()];
  return unit ? Math.floor(Number(m[1]) * unit) : undefined;
}

let configSchemaCache: Record<string, unknown> | undefined;

function configSchema(): Record<string, unknown> {
  configSchemaCache ??= buildConfigSchema();
  return configSchemaCache;
}

function buildConfigSchema(): Record<string, unknown> {
  const ruleSchema = loadRuleSchema() as { definitions: Record<string, Record<string, unknown>> };
  const rule = structuredClone(ruleSchema.definitions.rule!) as { required: string[] };
  // rules written in a user's config need no examples
  rule.required = rule.required.filter((f) => f !== 'examples');
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      extend: {
        type: 'object',
        additionalProperties: false,
        properties: {
          useDefault: { type: 'boolean' },
          ruleFiles: { type: 'array', items: { type: 'string', minLength: 1 } },
        },
      },
      disabledRules: { type: 'array', items: { type: 'string', minLength: 1 } },
      rules: { type: 'array', items: { $ref: '#/definitions/rule' } },
      allowlist: { $ref: '#/definitions/allowlist' },
      scan: {
        type: 'object',
        additionalProperties: false,
        properties: {
          maxFileSize: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', minLength: 1 }] },
        },
      },
      audit: {
        type: 'object',
        additionalProperties: false,
        properties: { maxAgeDays: { type: 'integer', minimum: 1, maximum: 3650 } },
      },
    },
    definitions: { ...ruleSchema.definitions, rule },
  };
}

interface RawConfig {
  extend?: { useDefault?: boolean; ruleFiles?: string[] };
  disabledRules?: string[];
  rules?: RuleSpec[];
  allowlist?: AllowlistSpec;
  scan?: { maxFileSize?: string | number };
  audit?: { maxAgeDays?: number };
}

export function readConfigFile(file: string): KeywardenConfig {
  const abs = resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    throw new KeywardenError('CONFIG_INVALID', `cannot read config ${file}`, [
      { file, message: (err as NodeJS.ErrnoException).code === "ENOENT" ? 'file not found' : (err as Error).message },
    ]);
  }
  const data = parseToml(text, file, 'CONFIG_INVALID');
  if (isGitleaksConfig(abs, data)) return importGitleaksConfig(data as Record<string, unknown>, file);
  const validate = schemaValidator(configSchema());
  const problems: ProblemDetail[] = [];
  if (!validate(data)) problems.push(...ajvProblems(validate.errors, file, data));
  const raw = data as RawConfig;
  let maxFileSize: number | undefined;
  if (raw.scan?.maxFileSize !== undefined) {
    maxFileSize = parseSize(raw.scan.maxFileSize);
    if (maxFileSize === undefined) {
      problems.push({ file, field: '/scan/maxFileSize', message: `"${raw.scan.maxFileSize}" is not a size (e.g. 10MiB)` });
    }
  }
  if (problems.length > 0) throw new KeywardenError('CONFIG_INVALID', `${file}: invalid configuration`, problems);
  const base = dirname(abs);
  return {
    file: abs,
    useDefaultRules: raw.extend?.useDefault ?? true,
    ruleFiles: (raw.extend?.ruleFiles ?? []).map((f) => resolve(base, f)),
    rules: (raw.rules ?? []).map((r) => ({ ...r, source: file })),
    disabledRules: raw.disabledRules ?? [],
    allowlist: raw.allowlist,
    maxFileSize,
    ...(raw.audit ? { audit: { ...raw.audit } } : {}),
  };
}

/** The config at `root/.keywarden.toml` if there is one, else the defaults. */
export function findConfig(root: string): KeywardenConfig {
  const candidate = join(root, CONFIG_FILE_NAME);
  if (existsSync(candidate)) return readConfigFile(candidate);
  return { useDefaultRules: true, ruleFiles: [], rules: [], disabledRules: [] };
}
