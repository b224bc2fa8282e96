import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DecodeBudget, DEFAULT_DECODE_LIMITS, findEncodedSpans } from '../../src/engine/decode.js';
import { buildFindings } from '../../src/findings/build.js';
import { fingerprint, secretHash } from '../../src/findings/fingerprint.js';
import type { Engine } from '../../src/engine/detect.js';
import { runCli, tempDir, writeTree } from '../support/cli.js';
import { DEMO_CONFIG, demoTokens } from '../support/demo-rules.js';
import { SeededRandom } from '../support/example-generator.js';
import { engineFor, spec } from '../support/rules.js';

// Every token is generated at test time (demo "dmo_" tokens), so the repository holds none.
const token = demoTokens('decode-tests');
const rng = new SeededRandom('decode-tests');
const tokenRule = spec({ id: 'demo-token', regex: String.raw`\b(dmo_[A-Za-z0-9]{24})\b`, keywords: ['dmo_'], confidence: 'high' });
const passwordRule = spec({
  id: 'demo-password',
  regex: String.raw`(?i)password\s{0,3}[:=]\s{0,3}["']?([A-Za-z0-9]{12,40})(?:["'\s]|$)`,
  keywords: ['password'],
  confidence: 'medium',
});

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');
const hex = (s: string) => Buffer.from(s).toString('hex');
/** Every character as \uXXXX, as a JSON or JS obfuscator writes a string. */
const uEscape = (s: string) => [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
/** Percent-encodes every non-alphanumeric character. */
const pct = (s: string) => s.replace(/[^A-Za-z0-9]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

function scan(engine: Engine, text: string | Buffer, path = 'config.txt') {
  return engine.scan({ bytes: Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'), path });
}

describe('decoding: secrets behind an encoding are found', () => {
  const engine = engineFor([tokenRule, passwordRule]);

  it('base64 of a .env line: found, reports ["base64"], located at the encoded span', () => {
    const secret = token();
    const encoded = b64(`SERVICE_TOKEN=${secret}\n`);
    const r = scan(engine, `# deploy\n\nblob: ${encoded}\n`);
    expect(r.matches).toHaveLength(1);
    const [m] = r.matches;
    expect(m).toMatchObject({ ruleId: 'demo-token', secret, encoding: ['base64'], line: 3, column: 7, endLine: 3, endColumn: 7 + encoded.length });
    const bytes = Buffer.from(`# deploy\n\nblob: ${encoded}\n`);
    expect(bytes.toString('utf8', m!.start, m!.end)).toBe(encoded);
  });

  it('base64url (the - and _ alphabet, no padding) reports ["base64url"]', () => {
    // find a token whose encoding uses the url-only characters
    let text = '';
    let encoded = '';
    do {
      text = `{"k":"${token()}","n":"${rng.chars('?>~', 12)}"}`;
      encoded = b64url(text);
    } while (!/[-_]/.test(encoded));
    const secret = JSON.parse(text).k as string;
    const [m, ...rest] = scan(engine, `url = https://example.test/cb?state=${encoded}\n`).matches;
    expect(rest).toEqual([]);
    expect(m).toMatchObject({ secret, encoding: ['base64url'] });
  });

  it('nested: base64 of percent-encoded JSON reports ["base64", "percent"]', () => {
    const secret = token();
    const encoded = b64(pct(`{"token":"${secret}"}`));
    const [m] = scan(engine, `payload=${encoded}\n`).matches;
    expect(m).toMatchObject({ secret, encoding: ['base64', 'percent'], line: 1, column: 9 });
  });

  it('nested the other way: a percent-encoded query whose value is base64 reports ["percent", "base64"]', () => {
    const secret = token();
    const query = pct(`cfg=${b64(`token: ${secret}\nregion: eu\n`)}&v=2`);
    const [m] = scan(engine, `GET /hook?q=${query}\n`).matches;
    expect(m).toMatchObject({ secret, encoding: ['percent', 'base64'] });
  });

  it('hex of a config line reports ["hex"], and a 0x prefix is allowed', () => {
    const secret = token();
    const encoded = hex(`api_token = "${secret}"`);
    expect(scan(engine, `const data = "${encoded}";\n`).matches).toMatchObject([{ secret, encoding: ['hex'] }]);
    expect(scan(engine, `const data = 0x${encoded};\n`).matches).toMatchObject([{ secret, encoding: ['hex'] }]);
  });

  it('\\u escapes in a JSON string report ["escape"]', () => {
    const secret = token();
    const json = `{\n  "name": "svc",\n  "token": "${uEscape(secret)}"\n}\n`;
    const [m, ...rest] = scan(engine, json, 'settings.json').matches;
    expect(rest).toEqual([]);
    expect(m).toMatchObject({ secret, encoding: ['escape'], line: 3, column: 13 });
  });

  it('\\x escapes in a string literal are decoded too', () => {
    const secret = token();
    const escaped = [...secret].map((c) => `\\x${c.charCodeAt(0).toString(16)}`).join('');
    expect(scan(engine, `key = b'${escaped}'\n`, 'app.py').matches).toMatchObject([{ secret, encoding: ['escape'] }]);
  });

  it('a key name in the plain text before an encoded value gives the decoded value context', () => {
    const password = rng.chars('ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789', 32);
    // a Kubernetes Secret's data: the key is plain, the value base64 (too long for the rule as it is)
    const yaml = `apiVersion: v1\nkind: Secret\ndata:\n  password: ${b64(password + '\n')}\n`;
    expect(scan(engine, yaml, 'secret.yaml').matches).toMatchObject([
      { ruleId: 'demo-password', secret: password, encoding: ['base64'], line: 4, column: 13 },
    ]);
  });

  it('a rule that already matches the encoded form in plain text keeps its match (no second finding)', () => {
    const sig = spec({ id: 'demo-sig', regex: String.raw`[?&]sig=((?:[A-Za-z0-9+/]|%2[BF]){20,60})`, keywords: ['sig='] });
    const value = `${rng.chars('ABCDEFGHJKLMNPQRSTUVWXYZ', 12)}%2B${rng.chars('abcdefghijkmnpqrstuvwxyz', 12)}%2F${rng.chars('0123456789', 6)}`;
    const r = scan(engineFor([sig]), `GET https://store.test/f?sv=1&sig=${value}\n`);
    expect(r.matches).toMatchObject([{ ruleId: 'demo-sig', secret: value }]);
    expect(r.matches[0]!.encoding).toBeUndefined();
  });

  it('reports nothing new when the plain text already holds the same secret', () => {
    const secret = token();
    const text = `TOKEN=${secret}\nTOKEN_B64=${b64(`TOKEN=${secret}`)}\n`;
    const r = scan(engine, text);
    expect(r.matches).toHaveLength(1);
    expect(r.matches[0]).toMatchObject({ secret, line: 1 });
    expect(r.matches[0]!.encoding).toBeUndefined();
  });

  it('finds two different encoded secrets on one line, each at its own span', () => {
    const [s1, s2] = [token(), token()];
    const e1 = b64(`A=${s1}`);
    const e2 = hex(`B=${s2}`);
    const r = scan(engine, `x ${e1} y ${e2}\n`);
    expect(r.matches.map((m) => [m.secret, m.column, m.encoding])).toEqual([
      [s1, 3, ['base64']],
      [s2, 3 + e1.length + 3, ['hex']],
    ]);
  });

  it('can be turned off', () => {
    const off = engineFor([tokenRule], { decode: false });
    expect(scan(off, `blob: ${b64(`T=${token()}`)}\n`).matches).toEqual([]);
  });
});

describe('decoding: findings', () => {
  const engine = engineFor([tokenRule]);
  const meta = new Map([['demo-token', { id: 'demo-token', description: 'Demo token', severity: 'high' as const, confidence: 'high' as const, provider: 'demo', tags: [] }]]);

  it('the fingerprint is rule + hash of the decoded secret + path: the same as the plain finding', () => {
    const secret = token();
    const findingsOf = (text: string) => {
      const fragment = { bytes: Buffer.from(text), path: 'deploy/app.env' };
      const r = engine.scan(fragment);
      return buildFindings(fragment, r.matches, r.lines, meta, { redact: true });
    };
    const [plain] = findingsOf(`TOKEN=${secret}\n`);
    const [encoded] = findingsOf(`\n\nBLOB=${b64(`TOKEN=${secret}\n`)}\n`);
    expect(encoded!.fingerprint).toBe(fingerprint('demo-token', secretHash(secret), 'deploy/app.env'));
    expect(encoded!.fingerprint).toBe(plain!.fingerprint);
    expect(encoded).toMatchObject({ line: 3, column: 6, encoding: ['base64'], secret: 'dmo_*****' });
    expect(plain!.encoding).toBeUndefined();
  });

  it('the snippet masks the whole encoded span (it would reveal the secret)', () => {
    const secret = token();
    const encoded = b64(`TOKEN=${secret}\n`);
    const fragment = { bytes: Buffer.from(`BLOB=${encoded} # deploy\n`), path: 'a.env' };
    const r = engine.scan(fragment);
    const [f] = buildFindings(fragment, r.matches, r.lines, meta, { redact: true });
    expect(f!.snippet).toBe('BLOB=dmo_***** # deploy');
  });
});

describe('decoding: limits hold on hostile input', () => {
  const engine = engineFor([tokenRule]);

  it('decodes at most three layers by default, and maxDepth lowers that', () => {
    const secret = token();
    let three = `T=${secret}`;
    for (let i = 0; i < 3; i++) three = b64(three);
    expect(scan(engine, three).matches).toMatchObject([{ secret, encoding: ['base64', 'base64', 'base64'] }]);
    expect(scan(engine, b64(three)).matches).toEqual([]);
    expect(scan(engineFor([tokenRule], { decode: { maxDepth: 2 } }), three).matches).toEqual([]);
  });

  it('10 MB of base64 of base64 of ... stays within the decoded-bytes budget and says so', () => {
    const secret = token();
    let layer: Buffer = Buffer.from(`T=${secret}\n`);
    while (layer.length < 10 * 1024 * 1024) layer = Buffer.from(b64(layer));
    const budget = new DecodeBudget(DEFAULT_DECODE_LIMITS, layer.length);
    const spans = findEncodedSpans(layer, budget);
    expect(spans).toHaveLength(1);
    expect(spans[0]!.decoded.length).toBeLessThanOrEqual(DEFAULT_DECODE_LIMITS.maxBytes);
    expect(budget.bytes).toBeGreaterThanOrEqual(0);
    const r = scan(engine, layer);
    expect(r.matches).toEqual([]);
    expect(r.decodeLimited).toBe(true);
  });

  it('the budget is at most twice the fragment size, and a small maxBytes stops decoding early', () => {
    expect(new DecodeBudget(DEFAULT_DECODE_LIMITS, 100).bytes).toBe(200);
    const secret = token();
    const text = `${b64(`filler ${'x'.repeat(300)}`)}\n${b64(`T=${secret}`)}\n`;
    expect(scan(engine, text).matches).toMatchObject([{ secret }]);
    const tight = engineFor([tokenRule], { decode: { maxBytes: 200 } });
    const r = scan(tight, text);
    expect(r.matches).toEqual([]);
    expect(r.decodeLimited).toBe(true);
  });

  it('decodes at most maxSpans spans per fragment', () => {
    const secrets = [token(), token(), token(), token(), token()];
    const text = secrets.map((s) => `v${b64(`T=${s}`)}`.slice(1)).join('\n');
    const capped = engineFor([tokenRule], { decode: { maxSpans: 3 } });
    const r = scan(capped, text);
    expect(r.matches.map((m) => m.secret)).toEqual(secrets.slice(0, 3));
    expect(r.decodeLimited).toBe(true);
    expect(scan(engine, text).matches).toHaveLength(5);
  });

  it('a long run of percent or backslash escapes is decoded once, not once per escape', () => {
    const secret = token();
    const long = pct(`${'a '.repeat(10_000)}token=${secret}`);
    const r = scan(engine, `u=${long}\n`);
    expect(r.matches).toMatchObject([{ secret, encoding: ['percent'] }]);
    const spans = (text: string) => findEncodedSpans(Buffer.from(text), new DecodeBudget(DEFAULT_DECODE_LIMITS, 1e6));
    expect(spans(`"${uEscape('x'.repeat(10_000))}"`)).toHaveLength(1);
    // runs longer than 64 KiB are cut, but no byte is decoded twice
    const cut = spans(`"${uEscape('x'.repeat(30_000))}"`);
    expect(cut.reduce((n, s) => n + s.decoded.length, 0)).toBe(30_000);
  });
});

describe('findEncodedSpans: what is not worth decoding', () => {
  const spansOf = (text: string) => findEncodedSpans(Buffer.from(text), new DecodeBudget(DEFAULT_DECODE_LIMITS, text.length));

  it('skips hashes and ids: hex and base64 that decode to binary', () => {
    const sha = rng.chars('0123456789abcdef', 64);
    const random = b64(Buffer.from(rng.chars('0123456789abcdef', 96), 'hex'));
    expect(spansOf(`commit ${sha}\nsig: ${random}\n`)).toEqual([]);
  });

  it('skips lockfile integrity values and long identifiers or paths', () => {
    const integrity = `sha512-${b64(Buffer.from(rng.chars('0123456789abcdef', 128), 'hex'))}`;
    const text = [
      `"integrity": "${integrity}",`,
      'const getElementsByTagNameNSForTheDocumentRoot = 1;',
      'import x from "node_modules/some-package/dist/esm/internal/helpers";',
      'SOME_VERY_LONG_CONSTANT_NAME_FOR_THE_CONFIGURATION = 2',
    ].join('\n');
    expect(spansOf(text)).toEqual([]);
  });

  it('skips a single %XX or \\u escape, unicode ranges and ANSI colours', () => {
    expect(spansOf('see https://example.test/a%20b and "caf\\u00e9"')).toEqual([]);
    expect(spansOf('const re = /[\\u0300-\\u036f\\u1ab0-\\u1aff]/g; const red = "\\u001b[31m\\u001b[0m";')).toEqual([]);
  });

  it('reports the encoded span and the decoded bytes', () => {
    const text = `x = "${b64('hello, this is plain text inside')}"`;
    const [s] = spansOf(text);
    expect(s).toMatchObject({ encoding: 'base64', start: 5, end: text.length - 1 });
    expect(s!.decoded.toString()).toBe('hello, this is plain text inside');
  });
});

describe('keywarden scan: the encoding is reported', () => {
  it('in text, JSON and SARIF output, located at the encoded span, never revealing the secret', () => {
    const dir = tempDir('kw-decode-');
    const secret = token();
    const encoded = b64(`DEMO_TOKEN=${secret}\n`);
    writeTree(dir, { '.keywarden.toml': DEMO_CONFIG, 'k8s/secret.yaml': `kind: Secret\ndata:\n  env: ${encoded}\n` });

    const text = runCli(['scan', dir]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('k8s/secret.yaml:3:8');
    expect(text.stdout).toContain('decoded from base64');

    const json = runCli(['scan', dir, '--format', 'json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.findings).toMatchObject([
      { ruleId: 'demo-token', file: 'k8s/secret.yaml', line: 3, column: 8, endColumn: 8 + encoded.length, encoding: ['base64'] },
    ]);
    expect(report.findings[0].fingerprint).toBe(fingerprint('demo-token', secretHash(secret), 'k8s/secret.yaml'));

    const out = join(dir, 'report.sarif');
    const sarif = runCli(['scan', dir, '--format', 'sarif', '--output', out]);
    expect(sarif.code).toBe(1);
    const log = JSON.parse(readFileSync(out, 'utf8'));
    const [result] = log.runs[0].results;
    expect(result.properties.encoding).toEqual(['base64']);
    expect(result.message.text).toContain('Found after decoding base64.');
    expect(result.locations[0].physicalLocation.region).toMatchObject({ startLine: 3, startColumn: 8 });

    for (const o of [text.stdout, json.stdout, readFileSync(out, 'utf8')]) {
      expect(o).not.toContain(secret);
      expect(o).not.toContain(encoded);
    }
  });
});

describe('decoding limits in a scan report', () => {
  it('says in a warning when a file holds more encoded text than the budget decodes', () => {
    const dir = tempDir();
    // 1,200 distinct base64 runs of readable text: more than the 1,000 runs decoded per file
    const lines = Array.from({ length: 1200 }, (_, i) => `v${i}: ${Buffer.from(`line ${i} of an ordinary config value here`).toString('base64')}`);
    writeTree(dir, { '.keywarden.toml': DEMO_CONFIG, 'values.yaml': `${lines.join('\n')}\n` });
    const r = runCli(['scan', dir, '-f', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { diagnostics: Array<{ kind: string; message: string; path?: string }> };
    expect(report.diagnostics).toContainEqual(expect.objectContaining({ kind: 'cap-hit', path: 'values.yaml', message: expect.stringMatching(/^decoding limit hit in values.yaml/) }));
  });
});
