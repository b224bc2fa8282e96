import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, githubReporter } from '../../src/reporters/github.js';
import type { Severity } from '../../src/types.js';
import { DIAGNOSTICS, finding, incompleteResult, META, scanResult, TRICKY_FILES, trickyFindings } from './support.js';

interface Command {
  name: string;
  props: Record<string, string>;
  message: string;
}

// The runner's parsing of `::name k=v,k=v::message` (actions/runner ActionCommand.TryParseV2):
// split on the first `::` after the name, properties on `,` and the first `=`, then unescape,
// `%25` last.
const unescapeData = (s: string): string => s.replaceAll('%0D', '\r').replaceAll('%0A', '\n').replaceAll('%25', '%');
const unescapeProperty = (s: string): string =>
  s.replaceAll('%0D', '\r').replaceAll('%0A', '\n').replaceAll('%3A', ':').replaceAll('%2C', ',').replaceAll('%25', '%');

function parseCommand(line: string): Command | undefined {
  if (!line.startsWith('::')) return undefined;
  const end = line.indexOf('::', 2);
  if (end < 0) return undefined;
  const head = line.slice(2, end);
  const space = head.indexOf(' ');
  const name = space < 0 ? head : head.slice(0, space);
  const props: Record<string, string> = {};
  if (space >= 0) {
    for (const pair of head.slice(space + 1).split(',')) {
      const eq = pair.indexOf('=');
      props[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
    }
  }
  return { name, props, message: unescapeData(line.slice(end + 2)) };
}

const lines = (out: string): string[] => out.replace(/\n$/, '').split('\n');

describe('github reporter', () => {
  it('writes one ::error annotation per finding with position, title and the redacted secret, then a summary', () => {
    const out = githubReporter(scanResult([finding()]), META);
    const [first, summary, ...rest] = lines(out);
    expect(rest).toEqual([]);
    expect(first).toBe(
      '::error file=src/app.js,line=2,endLine=2,col=28,endColumn=56,title=Demo service token (demo-token)::' +
        'high severity, high confidence: secret dmo_***** at src/app.js:2:28.%0A' +
        'Revoke or rotate it, then remove it from the code and its history; mark false positives with keywarden:allow.',
    );
    expect(summary).toBe('keywarden: 1 secret found (1 high) in 3 files.');
  });

  it('uses error for critical and high, warning for medium, low and info', () => {
    const severities: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
    const out = githubReporter(scanResult(severities.map((severity, i) => finding({ severity, file: `${i}.txt` }))), META);
    expect(lines(out).slice(0, 5).map((l) => parseCommand(l)!.name)).toEqual(['error', 'error', 'warning', 'warning', 'warning']);
    expect(lines(out)[5]).toBe('keywarden: 5 secrets found (1 critical, 1 high, 1 medium, 1 low, 1 info) in 3 files.');
  });

  it('escapes tricky file names so each annotation stays one command and reads back exactly', () => {
    const findings = trickyFindings();
    const out = lines(githubReporter(scanResult(findings), META));
    expect(out).toHaveLength(findings.length + 1);
    const commands = out.slice(0, -1).map((l) => parseCommand(l)!);
    expect(commands.map((c) => c.props.file).sort()).toEqual([...TRICKY_FILES].sort());
    for (const c of commands) {
      expect(Object.keys(c.props).every((k) => ['file', 'line', 'endLine', 'col', 'endColumn', 'title'].includes(k))).toBe(true);
    }
    expect(commands.find((c) => c.props.title!.startsWith('Other'))!.props.title).toBe('Other, "quoted" key: with <markup> & more (other-key)');
    expect(parseCommand(out.at(-1)!)).toBeUndefined();
  });

  it('leaves out columns when the secret spans several lines, as GitHub requires', () => {
    const [line] = lines(githubReporter(scanResult([finding({ line: 3, endLine: 7 })]), META));
    expect(parseCommand(line!)!.props).toEqual({ file: 'src/app.js', line: '3', endLine: '7', title: 'Demo service token (demo-token)' });
  });

  it('escapes %, CR and LF in data, and also : and , in properties', () => {
    expect(escapeData('100% a:b,c\r\nd')).toBe('100%25 a:b,c%0D%0Ad');
    expect(escapeProperty('100% a:b,c\r\nd')).toBe('100%25 a%3Ab%2Cc%0D%0Ad');
    expect(escapeProperty('%3A')).toBe('%253A');
  });

  it('turns scan errors and warnings into annotations and says when the scan is incomplete', () => {
    const stats = { filesScanned: 1, blobsScanned: 1, bytesScanned: 1, skipped: {}, rulesLoaded: 1, findings: 0, durationMs: 1 };
    const result = incompleteResult({ stats });
    const out = lines(githubReporter(result, META));
    expect(out).toHaveLength(3);
    expect(parseCommand(out[0]!)).toEqual({ name: 'error', props: { title: 'keywarden: unreadable' }, message: DIAGNOSTICS[0]!.message });
    expect(parseCommand(out[1]!)).toEqual({ name: 'warning', props: { title: 'keywarden: too-large' }, message: DIAGNOSTICS[1]!.message });
    expect(out[2]).toBe('keywarden: No secrets found in 1 blob. The scan is incomplete: see the errors above.');
  });

  it('says how many findings the baseline suppressed', () => {
    const baseline = { file: '.keywarden-baseline.json', suppressed: 2, stale: [], expired: [] };
    expect(lines(githubReporter(scanResult([], { baseline }), META))).toEqual(['keywarden: No secrets found in 3 files. The baseline suppressed 2.']);
  });

  it('never carries the raw secret, even from an unredacted finding', () => {
    const raw = 'dmo_Zq8Xw2Lp0Vn4Rt6Yb1Mc3Kd5';
    const out = githubReporter(scanResult([finding({ secret: raw, redacted: false })]), META);
    expect(out).not.toContain(raw);
    expect(out).toContain('dmo_*****');
  });
});
