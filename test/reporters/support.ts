// Shared by the reporter tests: findings to feed the reporters, and independent checkers of
// their output (Microsoft's SARIF Multitool and the SARIF JSON schema, an RFC 4180 reader).
import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Ajv2020Module, { type ValidateFunction } from 'ajv/dist/2020.js';
import { SaxesParser } from 'saxes';
import { expect } from 'vitest';
import type { ReportMeta } from '../../src/reporters/types.js';
import type { Diagnostic, Finding, ScanResult } from '../../src/types.js';
import { tempDir } from '../support/cli.js';

export const META: ReportMeta = {
  tool: { name: 'keywarden', version: '1.2.3', informationUri: 'https://www.npmjs.com/package/keywarden' },
};

/** File names that break naive reporters: delimiters of every format, line breaks, non-ASCII. */
export const TRICKY_FILES = [
  'src/app.js',
  'dir, with commas/a,b.txt',
  'c:colon/x:y.env',
  'quotes/"double" and \'single\'.txt',
  'line\nbreak/and\rreturn.txt',
  'ünïcödé/日本語 ファイル.txt',
  'emoji/🔑 key.txt',
  'percent%20/100%.txt',
  'xml/<&>.txt',
  'uri/#hash?query.txt',
  '=cmd|calc/+plus -minus @at.csv',
];

export function finding(over: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'demo-token',
    description: 'Demo service token',
    severity: 'high',
    confidence: 'high',
    provider: 'demo',
    tags: ['api-key'],
    file: 'src/app.js',
    line: 2,
    column: 28,
    endLine: 2,
    endColumn: 56,
    secret: 'dmo_*****',
    redacted: true,
    secretHash: 'a'.repeat(64),
    entropy: 4.25,
    fingerprint: '0123456789abcdef0123456789abcdef',
    snippet: 'const client = new Client("dmo_*****");',
    ...over,
  };
}

export function scanResult(findings: Finding[], over: Partial<ScanResult> = {}): ScanResult {
  return {
    findings,
    diagnostics: [],
    stats: { filesScanned: 3, bytesScanned: 1234, skipped: {}, rulesLoaded: 1, findings: findings.length, durationMs: 42 },
    complete: true,
    ...over,
  };
}

/** A scan error (its message tries to smuggle markup and a workflow command), a warning, an info. */
export const DIAGNOSTICS: readonly Diagnostic[] = [
  { kind: 'unreadable', path: 'a&b.txt', level: 'error', message: 'cannot read a&b.txt: EACCES\n::error::<injected>' },
  { kind: 'too-large', path: 'big.bin', level: 'warning', message: 'skipped big.bin: larger than 10 MiB' },
  { kind: 'binary', path: 'x.png', level: 'info', message: 'binary' },
];

/** An incomplete scan: nothing found, DIAGNOSTICS reported. */
export function incompleteResult(over: Partial<ScanResult> = {}): ScanResult {
  return scanResult([], { complete: false, diagnostics: [...DIAGNOSTICS], ...over });
}

/** One finding per severity and per tricky file name, with distinct fingerprints. */
export function trickyFindings(): Finding[] {
  const severities = ['critical', 'high', 'medium', 'low', 'info'] as const;
  return TRICKY_FILES.map((file, i) =>
    finding({
      file,
      severity: severities[i % severities.length]!,
      ruleId: i % 2 === 0 ? 'demo-token' : 'other-key',
      description: i % 2 === 0 ? 'Demo service token' : 'Other, "quoted" key: with <markup> & more',
      line: i + 1,
      endLine: i % 3 === 0 ? i + 3 : i + 1,
      column: 5,
      endColumn: 25,
      fingerprint: i.toString(16).padStart(32, '0'),
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// SARIF Multitool

const require = createRequire(import.meta.url);

/**
 * The Multitool's self-contained native binary from its per-platform npm package (installed by
 * `npm ci` as an optional dependency of @microsoft/sarif-multitool; nothing is downloaded at run
 * time). Called directly: the package's JS wrapper runs it through a shell, which splits `Gh;Sarif`.
 */
export function sarifMultitool(): string {
  const platform = { linux: 'linux', darwin: 'darwin', win32: 'win32' }[process.platform as string];
  if (!platform || (platform === 'linux' && process.arch !== 'x64')) {
    throw new Error(`SARIF Multitool: no binary for ${process.platform}-${process.arch} in @microsoft/sarif-multitool (linux-x64, darwin, win32 only)`);
  }
  const pkg = `@microsoft/sarif-multitool-${platform}`;
  let dir: string;
  try {
    dir = dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new Error(`SARIF Multitool: ${pkg} is not installed; run \`npm ci\` (it is an optional dependency of the devDependency @microsoft/sarif-multitool)`);
  }
  const bin = join(dir, platform === 'win32' ? 'Sarif.Multitool.exe' : 'Sarif.Multitool');
  if (!existsSync(bin)) throw new Error(`SARIF Multitool: ${bin} is missing; reinstall with \`npm ci\``);
  if (platform !== 'win32') {
    try {
      accessSync(bin, constants.X_OK);
    } catch {
      // the package's own postinstall is `chmod u+x Sarif.Multitool`; npm skips it when install
      // scripts are not allowed (allowScripts in package.json approves it)
      chmodSync(bin, statSync(bin).mode | 0o100);
    }
  }
  return bin;
}

export interface SarifIssue {
  ruleId: string;
  level: string;
  message: string;
}

// SARIF2006 fetches every URI in the log over HTTP: tests never reach the network.
const MULTITOOL_CONFIG = `<?xml version="1.0" encoding="utf-8"?>
<Properties>
  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">
    <Property Key="RuleEnabled" Value="Disabled" />
  </Properties>
</Properties>
`;

/** Runs `Sarif.Multitool validate --rule-kind "Gh;Sarif"` on a log and returns everything it reports. */
export function multitoolValidate(sarif: string): SarifIssue[] {
  const dir = tempDir('kw-sarif-');
  const input = join(dir, 'report.sarif');
  const output = join(dir, 'validation.sarif');
  const config = join(dir, 'validate.config.xml');
  writeFileSync(input, sarif);
  writeFileSync(config, MULTITOOL_CONFIG);
  const r = spawnSync(
    sarifMultitool(),
    ['validate', input, '--rule-kind', 'Gh;Sarif', '--level', 'Error;Warning;Note', '--config', config, '--output', output, '--log', 'ForceOverwrite'],
    {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
      // self-contained .NET: without ICU installed it aborts unless globalization is invariant
      env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
    },
  );
  if (r.error || r.status !== 0 || !existsSync(output)) {
    throw new Error(`SARIF Multitool failed (status ${r.status}): ${r.error?.message ?? ''}\n${r.stdout}\n${r.stderr}`);
  }
  const log = JSON.parse(readFileSync(output, 'utf8').replace(/^\uFEFF/, '')) as {
    runs: Array<{ results?: Array<{ ruleId: string; level?: string; message: { text?: string } }> }>;
  };
  return (log.runs[0]?.results ?? []).map((x) => ({ ruleId: x.ruleId, level: x.level ?? 'warning', message: x.message.text ?? '' }));
}

// ajv is CommonJS: under NodeNext its class is the default export's `default`
const Ajv2020 = Ajv2020Module.default;
let schemaValidator: ValidateFunction | undefined;

/** Validates against the SARIF 2.1.0 JSON schema shipped with the Multitool; returns the errors. */
export function schemaErrors(log: unknown): string[] {
  if (!schemaValidator) {
    const schemaFile = join(dirname(sarifMultitool()), 'sarif-2.1.0.json');
    const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
    schemaValidator = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object);
  }
  return schemaValidator(log) ? [] : (schemaValidator.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

/**
 * A valid log: no SARIF schema error, no Multitool error or warning, and proof that the Multitool
 * analysed it at all. It silently passes a log it cannot deserialise, so its per-run note (no
 * versionControlProvenance) and per-result notes (no snippet) must be there.
 */
export function expectValidSarif(text: string, results: number): void {
  expect(schemaErrors(JSON.parse(text))).toEqual([]);
  const issues = multitoolValidate(text);
  expect(issues.filter((i) => i.level === 'error' || i.level === 'warning')).toEqual([]);
  expect(issues.filter((i) => i.ruleId === 'SARIF2003')).toHaveLength(1);
  expect(issues.filter((i) => i.ruleId === 'SARIF2010')).toHaveLength(results);
}

// ---------------------------------------------------------------------------------------------
// CSV

/** A strict RFC 4180 reader (CRLF records, quoted fields); throws on anything malformed. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`bare quote at ${i}`);
        field += text[i++];
      }
    }
    row.push(field);
    if (text[i] === ',') {
      i++;
    } else if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else {
      throw new Error(`expected , or CRLF at ${i}, got ${JSON.stringify(text.slice(i, i + 10))}`);
    }
  }
  if (row.length > 0) throw new Error('last record is not terminated by CRLF');
  return rows;
}

// ---------------------------------------------------------------------------------------------
// XML

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** Parses with saxes, a conformant XML 1.0 parser: any well-formedness error throws. */
export function parseXml(xml: string): XmlElement {
  const parser = new SaxesParser();
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack = [root];
  parser.on('error', (e) => {
    throw e;
  });
  parser.on('opentag', (tag) => {
    const el: XmlElement = { name: tag.name, attributes: tag.attributes as Record<string, string>, children: [], text: '' };
    stack.at(-1)!.children.push(el);
    stack.push(el);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.on('text', (t) => {
    stack.at(-1)!.text += t;
  });
  parser.write(xml).close();
  const [doc] = root.children;
  if (!doc || root.children.length !== 1) throw new Error('expected exactly one root element');
  return doc;
}

export function elements(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}
