import { describe, expect, it } from 'vitest';
import { junitReporter, xmlEscape } from '../../src/reporters/junit.js';
import { DIAGNOSTICS, elements, finding, incompleteResult, META, parseXml, scanResult, TRICKY_FILES, trickyFindings, type XmlElement } from './support.js';

function suite(xml: string): { root: XmlElement; suite: XmlElement; cases: XmlElement[] } {
  const root = parseXml(xml);
  expect(root.name).toBe('testsuites');
  const [s] = elements(root, 'testsuite');
  return { root, suite: s!, cases: elements(s!, 'testcase') };
}

describe('junit reporter', () => {
  it('writes one failing test case per finding with file:line, rule and the redacted secret', () => {
    const xml = junitReporter(scanResult([finding()]), META);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    const { root, suite: s, cases } = suite(xml);
    for (const el of [root, s]) expect(el.attributes).toMatchObject({ tests: '1', failures: '1', errors: '0', time: '0.042' });
    expect(cases).toHaveLength(1);
    const [tc] = cases;
    expect(tc!.attributes).toEqual({ classname: 'src/app.js', name: 'demo-token at src/app.js:2:28', file: 'src/app.js', line: '2' });
    const [failure] = elements(tc!, 'failure');
    expect(failure!.attributes.type).toBe('demo-token');
    expect(failure!.attributes.message).toBe('src/app.js:2:28: demo-token: Demo service token: dmo_*****');
    expect(failure!.text).toContain('secret: dmo_*****');
    expect(failure!.text).toContain('fingerprint: 0123456789abcdef0123456789abcdef');
  });

  it('shows a passing test case when nothing was found', () => {
    const { root, cases } = suite(junitReporter(scanResult([]), META));
    expect(root.attributes).toMatchObject({ tests: '1', failures: '0', errors: '0' });
    expect(cases).toHaveLength(1);
    expect(cases[0]!.attributes.name).toBe('no secrets found');
    expect(cases[0]!.children).toEqual([]);
  });

  it('adds an erroring test case per scan error, so an incomplete scan is never green', () => {
    const { root, cases } = suite(junitReporter(incompleteResult(), META));
    expect(root.attributes).toMatchObject({ tests: '2', failures: '0', errors: '1' });
    const [error] = elements(cases[1]!, 'error');
    expect(error!.attributes).toEqual({ message: DIAGNOSTICS[0]!.message, type: 'unreadable' });
    expect(error!.text).toBe(DIAGNOSTICS[0]!.message);
    expect(cases[1]!.attributes.name).toBe('scan unreadable: a&b.txt');
  });

  it('escapes every tricky file name so the XML stays well-formed and reads back exactly', () => {
    const findings = trickyFindings();
    const { cases } = suite(junitReporter(scanResult(findings), META));
    expect(cases.map((c) => c.attributes.file).sort()).toEqual([...TRICKY_FILES].sort());
    for (const c of cases) expect(elements(c, 'failure')[0]!.text).toContain(`location: ${c.attributes.file}:`);
    const other = cases.find((c) => c.attributes.name!.startsWith('other-key'))!;
    expect(elements(other, 'failure')[0]!.attributes.message).toContain('Other, "quoted" key: with <markup> & more');
  });

  it('replaces characters XML 1.0 cannot carry instead of emitting a broken document', () => {
    const f = finding({ file: 'ctl\u0001\u001b[31m\uFFFF/lone\uD800.txt' });
    const { cases } = suite(junitReporter(scanResult([f]), META));
    expect(cases[0]!.attributes.file).toBe('ctl\uFFFD\uFFFD[31m\uFFFD/lone\uFFFD.txt');
    expect(xmlEscape('a\tb\nc\rd')).toBe('a&#9;b&#10;c&#13;d');
    expect(xmlEscape('a\tb\nc\rd', false)).toBe('a\tb\nc&#13;d');
  });

  it('never carries the raw secret, even from an unredacted finding', () => {
    const raw = 'dmo_Zq8Xw2Lp0Vn4Rt6Yb1Mc3Kd5';
    const xml = junitReporter(scanResult([finding({ secret: raw, redacted: false })]), META);
    expect(xml).not.toContain(raw);
    expect(xml).toContain('dmo_*****');
  });

  it('records how many findings the baseline suppressed', () => {
    const baseline = { file: '.keywarden-baseline.json', suppressed: 4, stale: [], expired: [] };
    const props = elements(elements(suite(junitReporter(scanResult([], { baseline }), META)).suite, 'properties')[0]!, 'property');
    expect(props.map((p) => p.attributes)).toContainEqual({ name: 'baseline.suppressed', value: '4' });
  });

  it('names the commit of a history finding', () => {
    const f = finding({ commit: { sha: 'd'.repeat(40), author: 'A', email: 'a@example.com', date: '2024-02-03T04:05:06Z' } });
    const { cases } = suite(junitReporter(scanResult([f]), META));
    expect(elements(cases[0]!, 'failure')[0]!.text).toContain(`commit: ${'d'.repeat(40)} (2024-02-03T04:05:06Z)`);
  });
});
