import { parse, TomlError } from 'smol-toml';
import { KeywardenError } from '../errors.js';

/** Parses TOML; a syntax error names the file, line and column. */
export function parseToml(text: string, file: string, code: 'RULE_INVALID' | 'CONFIG_INVALID'): unknown {
  try {
    return parse(text);
  } catch (err) {
    const where = err instanceof TomlError ? `line ${err.line}, column ${err.column}` : undefined;
    const first = ((err as Error).message ?? '').split('\n')[0];
    throw new KeywardenError(code, `${file}: invalid TOML`, [
      { file, field: where, message: `invalid TOML: ${first}` },
    ]);
  }
}
