// keywarden scan --config .gitleaks.toml: gitleaks rules and allowlists are translated, and what
// cannot be translated is reported as a warning naming the rule and field, the rest still applying.
import { describe, expect, it } from 'vitest';
import { requiredLiterals } from '../../src/config/gitleaks-import.js';
import { runCli, tempDir, writeTree } from '../support/cli.js';
import { expandTemplate, SeededRandom } from '../support/example-generator.js';

interface JsonReport {
  findings: Array<{ ruleId: string; file: string; line: number; confidence: string }>;
  diagnostics: Array<{ kind: string; level: string; message: string }>;
}

const rng = new SeededRandom('gitleaks-import');
/** Synthetic tokens for the made-up "acme" provider of these tests. */
const acme = (): string => `acme_${rng.chars('abcdefghijklmnopqrstuvwxyz0123456789', 20)}`;

function scanJson(dir: string, config: string, extra: string[] = []): { code: number; report: JsonReport; stderr: string } {
  const r = runCli(['scan', dir, '--config', config, '--format', 'json', ...extra]);
  return { code: r.code, report: JSON.parse(r.stdout || '{"findings":[],"diagnostics":[]}') as JsonReport, stderr: r.stderr };
}

const warnings = (report: JsonReport): string[] =>
  report.diagnostics.filter((d) => d.kind === 'config' && d.level === 'warning').map((d) => d.message);

const ACME_RULE = `
[[rules]]
id = "acme-token"
description = "Acme API token"
regex = '''\\b(acme_[a-z0-9]{20})\\b'''
keywords = ["acme_"]
tags = ["acme", "api"]
`;

describe('gitleaks config: rules', () => {
  it('translates a rule (regex, keywords, tags) and reports its findings with exit 1', () => {
    const dir = tempDir();
    const secret = acme();
    writeTree(dir, { '.gitleaks.toml': `title = "acme"\n${ACME_RULE}`, 'src/app.env': `ACME=${secret}\n` });
    const { code, report } = scanJson(dir, `${dir}/.gitleaks.toml`);
    expect(code).toBe(1);
    expect(report.findings.map((f) => [f.ruleId, f.file, f.line])).toEqual([['acme-token', 'src/app.env', 1]]);
    expect(warnings(report)).toEqual([]);
  });

  it('recognises a gitleaks config by its content whatever the file name', () => {
    const dir = tempDir();
    writeTree(dir, { 'scanner.toml': ACME_RULE, 'app.env': `ACME=${acme()}\n` });
    const { code, report } = scanJson(dir, `${dir}/scanner.toml`);
    expect(code).toBe(1);
    expect(report.findings.map((f) => f.ruleId)).toEqual(['acme-token']);
  });

  it('still reports a keywarden config with mistakes as one (keywarden-only settings decide)', () => {
    const dir = tempDir();
    writeTree(dir, { 'custom.toml': `[scan]\nmaxFileSize = "1MiB"\n${ACME_RULE}` });
    const r = runCli(['scan', dir, '--config', `${dir}/custom.toml`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rule "acme-token", field \/rules\/0\/severity: is required/);
  });

  it('uses secretGroup and entropy', () => {
    const dir = tempDir();
    const strong = rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 24);
    writeTree(dir, {
      '.gitleaks.toml': `
[[rules]]
id = "acme-secret"
regex = '''(acme)_(secret)\\s*=\\s*([A-Za-z0-9]{24})'''
secretGroup = 3
entropy = 3.5
keywords = ["acme_secret"]
`,
      'a.env': `acme_secret = ${strong}\n`,
      'b.env': `acme_secret = ${'a'.repeat(24)}\n`,
    });
    const { report } = scanJson(dir, `${dir}/.gitleaks.toml`, ['--no-redact']);
    expect(report.findings.map((f) => [f.file, (f as unknown as { secret: string }).secret])).toEqual([['a.env', strong]]);
  });

  it('derives a keyword from the regex when the rule has none, and says so', () => {
    const dir = tempDir();
    writeTree(dir, {
      '.gitleaks.toml': `
[[rules]]
id = "zork-id"
regex = '''zork-key-[0-9]{8}'''
`,
      'a.txt': `id: zork-key-${rng.chars('0123456789', 8)}\n`,
    });
    const { code, report } = scanJson(dir, `${dir}/.gitleaks.toml`);
    expect(code).toBe(1);
    expect(report.findings.map((f) => f.ruleId)).toEqual(['zork-id']);
    expect(warnings(report).join('\n')).toMatch(/rule "zork-id", field \/rules\/0\/keywords: .*using "zork-key-"/);
  });

  it('normalises ids to keywarden form and says so', () => {
    const dir = tempDir();
    writeTree(dir, { '.gitleaks.toml': ACME_RULE.replace('"acme-token"', '"Acme_Token"'), 'a.env': `K=${acme()}\n` });
    const { report } = scanJson(dir, `${dir}/.gitleaks.toml`);
    expect(report.findings.map((f) => f.ruleId)).toEqual(['acme-token']);
    expect(warnings(report).join('\n')).toMatch(/rule "Acme_Token", field \/rules\/0\/id: id "Acme_Token" is reported as "acme-token"/);
  });
});

describe('gitleaks config: allowlists', () => {
  it('applies rule allowlists ([rules.allowlist] and [[rules.allowlists]]): regexes, stopwords, paths, regexTarget', () => {
    const dir = tempDir();
    const kept = acme();
    writeTree(dir, {
      '.gitleaks.toml': `${ACME_RULE}
[rules.allowlist]
stopwords = ["dummy"]
paths = ['''^fixtures/''']
[[rules.allowlists]]
regexTarget = "line"
regexes = ['''#\\s*not-a-secret''']
`,
      'kept.env': `K=${kept}\n`,
      'stopword.env': `K=acme_dummy${rng.chars('0123456789', 15)}\n`,
      'fixtures/a.env': `K=${acme()}\n`,
      'line.env': `K=${acme()} # not-a-secret\n`,
    });
    const { report } = scanJson(dir, `${dir}/.gitleaks.toml`);
    expect(report.findings.map((f) => f.file)).toEqual(['kept.env']);
    expect(warnings(report)).toEqual([]);
  });

  it('applies global [allowlist] / [[allowlists]] paths and regexes; targetRules attach to that rule only', () => {
    const dir = tempDir();
    writeTree(dir, {
      '.gitleaks.toml': `${ACME_RULE}
[[rules]]
id = "blip-token"
regex = '''\\b(blip_[0-9]{10})\\b'''
keywords = ["blip_"]

[allowlist]
paths = ['''(^|/)vendor/''']

[[allowlists]]
targetRules = ["blip-token"]
regexTarget = "line"
regexes = ['''example''']
`,
      'vendor/lib.env': `K=${acme()}\n`,
      'app.env': `K=${acme()}\nB=blip_${rng.chars('0123456789', 10)} # example\n`,
      'doc.env': `K=${acme()} # example\n`,
    });
    const { report } = scanJson(dir, `${dir}/.gitleaks.toml`);
    // blip's allowlist hides the blip line; acme is not affected by it
    expect(report.findings.map((f) => `${f.file}:${f.line}:${f.ruleId}`).sort()).toEqual(['app.env:1:acme-token', 'doc.env:1:acme-token']);
  });
});

describe('gitleaks config: what cannot be translated', () => {
  const CONFIG = `
title = "legacy"
[extend]
url = "https://example.com/gitleaks.toml"
disabledRules = ["generic-api-key"]
${ACME_RULE}
[[rules]]
id = "lookbehind-rule"
regex = '''(?<=token=)[a-z]{12}'''
keywords = ["token="]

[[rules]]
id = "p12-file"
path = '''\\.p12$'''

[[rules]]
id = "composite"
regex = '''blip_[0-9]{10}'''
keywords = ["blip_"]
[[rules.required]]
id = "acme-token"
withinLines = 2

[[rules]]
id = "and-allowlist"
regex = '''\\b(zork_[0-9]{10})\\b'''
keywords = ["zork_"]
[[rules.allowlists]]
condition = "AND"
regexes = ['''zork_0''']
paths = ['''test/''']
[[rules.allowlists]]
commits = ["0123456789abcdef0123456789abcdef01234567"]

[[allowlists]]
targetRules = ["aws-access-token"]
stopwords = ["example"]
`;

  it('warns per rule and field, and still applies everything else', () => {
    const dir = tempDir();
    writeTree(dir, {
      '.gitleaks.toml': CONFIG,
      'app.env': `A=${acme()}\nB=blip_${rng.chars('0123456789', 10)}\nZ=zork_${rng.chars('0123456789', 10)}\nT=token=${rng.chars('abcdefghijklmnopqrstuvwxyz', 12)}\n`,
      'cert.p12': 'not really a certificate\n',
    });
    const { code, report } = scanJson(dir, `${dir}/.gitleaks.toml`);
    expect(code).toBe(1);
    expect(report.findings.map((f) => f.ruleId).sort()).toEqual(['acme-token', 'and-allowlist', 'composite']);
    const w = warnings(report).join('\n');
    expect(w).toMatch(/rule "lookbehind-rule", field \/rules\/1\/regex: lookbehind .* not supported .*rule not translated/);
    expect(w).toMatch(/rule "p12-file", field \/rules\/2\/regex: path-only rules .* not supported/);
    expect(w).toMatch(/rule "composite", field \/rules\/3\/required: "required" \(composite rules\) is not supported/);
    expect(w).toMatch(/rule "and-allowlist", field \/rules\/4\/allowlists\/0\/condition: condition = "AND"/);
    expect(w).toMatch(/rule "and-allowlist", field \/rules\/4\/allowlists\/1\/commits: allowlisting by commit is not supported/);
    expect(w).toMatch(/field \/extend\/url: extending a config by URL is not supported/);
    expect(w).toMatch(/field \/extend\/disabledRules: .*generic-api-key/);
    expect(w).toMatch(/rule "aws-access-token", field \/allowlists\/targetRules: .*not a rule in this file/);
  });

  it('shows the warnings in the text report as well', () => {
    const dir = tempDir();
    writeTree(dir, { '.gitleaks.toml': CONFIG, 'clean.txt': 'nothing here\n' });
    const r = runCli(['scan', dir, '--config', `${dir}/.gitleaks.toml`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/warning: .*rule "lookbehind-rule"/);
  });

  it('exits 2 on a gitleaks file that is not valid TOML', () => {
    const dir = tempDir();
    writeTree(dir, { '.gitleaks.toml': '[[rules]\nid = "x"\n' });
    const r = runCli(['scan', dir, '--config', `${dir}/.gitleaks.toml`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid TOML/);
  });
});

describe('gitleaks config: [extend]', () => {
  it('with useDefault, gitleaks default rule ids map onto the keywarden rules that cover them', () => {
    const dir = tempDir();
    const r = new SeededRandom('gitleaks-extend-map');
    const aws = (): string => expandTemplate('AKIA%{set:A-Z2-7:16}', r);
    const gh = expandTemplate('%{github:ghp}', r);
    writeTree(dir, {
      '.gitleaks.toml': `[extend]
useDefault = true
disabledRules = ["generic-api-key"]

[[allowlists]]
targetRules = ["aws-access-token"]
regexTarget = "line"
regexes = ['''# sandbox''']

[[rules]]
id = "github-pat"
[rules.allowlist]
paths = ['''^fixtures/''']
`,
      'a.env': `AWS_ACCESS_KEY_ID=${aws()}\nGITHUB_TOKEN=${gh}\nAPI_SECRET=${rng.chars('abcdefghijklmnopqrstuvwxyz0123456789', 32)}\n`,
      'sandbox.env': `AWS_ACCESS_KEY_ID=${aws()} # sandbox\n`,
      'fixtures/token.env': `GITHUB_TOKEN=${gh}\n`,
    });
    const { report } = scanJson(dir, `${dir}/.gitleaks.toml`);
    // the sandbox line is allowlisted for the AWS rule, fixtures/ for the GitHub one, and the
    // generic rules that would report API_SECRET are disabled
    expect(report.findings.map((f) => `${f.file}:${f.ruleId}`).sort()).toEqual(['a.env:aws-access-key-id', 'a.env:github-pat']);
    const w = warnings(report).join('\n');
    expect(w).toMatch(/"aws-access-token" is a gitleaks default rule: its allowlist applies to keywarden's aws-access-key-id/);
    expect(w).toMatch(/"github-pat" is a gitleaks default rule: its allowlist applies to keywarden's github-pat/);
    expect(w).toMatch(/"generic-api-key" is a gitleaks default rule; keywarden's generic-password-assignment, generic-secret-assignment, generic-high-entropy-env-key covering it are disabled/);
  });

  it('without [extend] useDefault, only the file\'s own rules run', () => {
    const dir = tempDir();
    const gh = expandTemplate('%{github:ghp}', new SeededRandom('gitleaks-extend-1'));
    writeTree(dir, { '.gitleaks.toml': ACME_RULE, 'a.env': `GITHUB_TOKEN=${gh}\n` });
    expect(scanJson(dir, `${dir}/.gitleaks.toml`).report.findings).toEqual([]);
  });

  it('useDefault = true adds keywarden\'s default rules, with a note that they replace gitleaks\' defaults', () => {
    const dir = tempDir();
    const gh = expandTemplate('%{github:ghp}', new SeededRandom('gitleaks-extend-2'));
    writeTree(dir, { '.gitleaks.toml': `[extend]\nuseDefault = true\n${ACME_RULE}`, 'a.env': `GITHUB_TOKEN=${gh}\nACME=${acme()}\n` });
    const { report } = scanJson(dir, `${dir}/.gitleaks.toml`);
    expect(report.findings.map((f) => f.ruleId).sort()).toEqual(['acme-token', 'github-pat']);
    expect(warnings(report).join('\n')).toMatch(/useDefault: keywarden's own default rules/);
  });

  it('path = another gitleaks file: its rules apply, overridden by same-id rules of this file; disabledRules drops one', () => {
    const dir = tempDir();
    writeTree(dir, {
      'base/gitleaks-base.toml': `${ACME_RULE}
[[rules]]
id = "blip-token"
regex = '''\\b(blip_[0-9]{10})\\b'''
keywords = ["blip_"]
[[rules]]
id = "zork-token"
regex = '''\\b(zork_[0-9]{10})\\b'''
keywords = ["zork_"]
`,
      '.gitleaks.toml': `[extend]
path = "base/gitleaks-base.toml"
disabledRules = ["zork-token"]

[[rules]]
id = "blip-token"
description = "Blip token, stricter"
regex = '''\\b(blip_9[0-9]{9})\\b'''
keywords = ["blip_9"]
`,
      'a.env': `A=${acme()}\nB=blip_1${rng.chars('0123456789', 9)}\nC=blip_9${rng.chars('0123456789', 9)}\nZ=zork_${rng.chars('0123456789', 10)}\n`,
    });
    const { report } = scanJson(dir, `${dir}/.gitleaks.toml`);
    expect(report.findings.map((f) => `${f.line}:${f.ruleId}`).sort()).toEqual(['1:acme-token', '3:blip-token']);
    expect(warnings(report)).toEqual([]);
  });
});

describe('requiredLiterals (keywords for rules without any)', () => {
  it('finds literal runs outside groups and classes', () => {
    expect(requiredLiterals('zork-key-[0-9]{8}')).toEqual(['zork-key-']);
    expect(requiredLiterals('(?i)Bearer\\s+([a-z]{10})')).toEqual(['bearer']);
    expect(requiredLiterals('api\\.acme\\.com/v1/[a-z]+')).toEqual(['api.acme.com/v1/']);
  });

  it('returns nothing when no literal is certain', () => {
    expect(requiredLiterals('foo_[a-z]{4}|bar_[a-z]{4}')).toEqual([]);
    expect(requiredLiterals('(?:foo|bar)_[a-z]{8}')).toEqual([]);
    expect(requiredLiterals('[a-f0-9]{32}')).toEqual([]);
    // the last character of a quantified run is optional or repeated
    expect(requiredLiterals('ab?[0-9]{4}')).toEqual([]);
  });
});
