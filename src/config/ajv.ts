// ajv, loaded on first use: most scans (the pre-commit hook's above all) never validate a file
// with it, and importing it plus checking a schema against JSON Schema's own meta-schema cost
// ~40-80 ms at start-up. The schemas are keywarden's own, checked by its tests, so the
// meta-schema check is skipped.
import { createRequire } from 'node:module';
import type { ErrorObject } from 'ajv';

export interface SchemaValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

const cache = new WeakMap<object, SchemaValidator>();

export function schemaValidator(schema: Record<string, unknown>): SchemaValidator {
  let v = cache.get(schema);
  if (!v) {
    const mod = createRequire(import.meta.url)('ajv') as { default?: unknown };
    const Ajv = (mod.default ?? mod) as new (opts: Record<string, unknown>) => { compile(s: object): SchemaValidator };
    v = new Ajv({ allErrors: true, strict: false, validateSchema: false }).compile(schema);
    cache.set(schema, v);
  }
  return v;
}
