import RE2 from 're2';
import { Engine, loadDefaultRuleSpecs, compileRules } from '/work/main/dist/index.js';
import { keywordWindows } from '/work/main/dist/engine/windows.js';
import fs from 'node:fs'; import path from 'node:path';
const rules = compileRules(await loadDefaultRuleSpecs());
const eng = new Engine(rules);
const g = rules.find(r => r.id === 'generic-secret-assignment');
const dir = 'bench/.corpus/synthetic-100mb'; const files=[];
(function walk(d){for(const e of fs.readdirSync(d,{withFileTypes:true})){const p=path.join(d,e.name); if(e.isDirectory())walk(p); else files.push(p);}})(dir);
const bufs = files.map(f=>fs.readFileSync(f));
const W = [];
for (const b of bufs) { const c = eng.candidates(b); const present = c.present; const kws = g.keywords.filter(k => present.has(k)); if (!kws.length) continue; const w = keywordWindows(b, c.positions, kws, g.windowLines); if (w) for (const x of w) W.push([b, x[0], x[1]]); }
console.log('windows', W.length, 'bytes', W.reduce((s, [, a, c]) => s + c - a, 0));
const trivial = new RE2('zq#x', 'dgmu');
for (let r = 0; r < 3; r++) {
  for (const [name, re] of [['generic', g.re], ['trivial', trivial]]) {
    let t = performance.now(), n = 0;
    for (const [b, from, to] of W) { const input = b.subarray(from, to); re.lastIndex = 0; while (re.exec(input)) n++; }
    console.log(name, (performance.now() - t).toFixed(1), 'ms', n);
  }
  let t = performance.now(); let n = 0;
  for (const [b, from, to] of W) { const input = b.subarray(from, to); n += input.length; }
  console.log('subarray only', (performance.now() - t).toFixed(1));
  const g2 = new RE2(g.re.source, 'gmu');
  t = performance.now(); n = 0;
  for (const [b, from, to] of W) { const input = b.subarray(from, to); g2.lastIndex = 0; if (g2.test(input)) n++; }
  console.log('generic test() no d', (performance.now() - t).toFixed(1), n);
}
// gathered: per file, windows copied into one buffer with '\n' between
const byFile = new Map(); for (const [b, a, c] of W) { if (!byFile.has(b)) byFile.set(b, []); byFile.get(b).push([a, c]); }
const scratch = Buffer.allocUnsafe(1 << 24);
for (let r = 0; r < 3; r++) {
  let t = performance.now(), n = 0, cross = 0;
  for (const [b, ws] of byFile) {
    let len = 0; const starts = [];
    for (const [a, c] of ws) { starts.push(len); len += b.copy(scratch, len, a, c); scratch[len++] = 10; }
    const input = scratch.subarray(0, len);
    const re = g.re; re.lastIndex = 0; let m;
    while ((m = re.exec(input))) n++;
  }
  console.log('gathered', (performance.now() - t).toFixed(1), 'ms', n);
}
{
  const parts = []; let len = 0;
  for (const [b, ws] of byFile) for (const [a, c] of ws) { len += b.copy(scratch, len, a, c); scratch[len++] = 10; }
  const all = Buffer.from(scratch.subarray(0, len));
  const src = g.re.source;
  // split top-level alternatives of the non-capturing group after (?i)(?:
  const body = src.slice('(?i)(?:'.length);
  let depth = 0, cuts = [], inClass = false;
  for (let i = 0; i < body.length; i++) { const ch = body[i]; if (ch === '\\') { i++; continue; } if (inClass) { if (ch === ']') inClass = false; continue; } if (ch === '[') { inClass = true; continue; } if (ch === '(') depth++; else if (ch === ')') { if (depth === 0) { cuts.push(i); break; } depth--; } else if (ch === '|' && depth === 0) cuts.push(i); }
  const close = cuts.pop(); const tail = body.slice(close + 1);
  let prev = 0; const alts = []; for (const c of cuts) { alts.push(body.slice(prev, c)); prev = c + 1; } alts.push(body.slice(prev, close));
  console.log('alternatives', alts.length, alts.map(a => a.length), 'tail', tail.length);
  for (const [name, re] of [['full test', new RE2(src, 'gmu')], ...alts.map((a, i) => ['alt' + i, new RE2('(?i)(?:' + a + ')' + tail, 'gmu')])]) {
    const t = performance.now(); let n = 0; re.lastIndex = 0; while (re.test(all)) n++;
    console.log(name, (performance.now() - t).toFixed(1), 'ms', n, (all.length / 1e6).toFixed(1) + 'MB');
  }
}
{
  let len = 0;
  for (const [b, ws] of byFile) for (const [a, c] of ws) { len += b.copy(scratch, len, a, c); scratch[len++] = 10; }
  const all = Buffer.from(scratch.subarray(0, len));
  const src = g.re.source;
  for (const flags of ['gmu', 'dgmu', 'gm', 'dgm']) for (const m of ['test', 'exec']) {
    const re = new RE2(src, flags); const t = performance.now(); let n = 0; re.lastIndex = 0; while (re[m](all)) n++;
    console.log(flags, m, (performance.now() - t).toFixed(1), 'ms', n);
  }
}
for (const mode of ['scratch', 'fresh', 'scratch-test']) {
  let t = performance.now(), n = 0;
  for (const [b, ws] of byFile) {
    let len = 0;
    for (const [a, c] of ws) { len += b.copy(scratch, len, a, c); scratch[len++] = 10; }
    const input = mode === 'fresh' ? Buffer.from(scratch.subarray(0, len)) : scratch.subarray(0, len);
    const re = g.re; re.lastIndex = 0;
    if (mode === 'scratch-test') { while (re.test(input)) n++; } else while (re.exec(input)) n++;
  }
  console.log(mode, (performance.now() - t).toFixed(1), 'ms', n);
}
{
  let len = 0;
  for (const [b, ws] of byFile) for (const [a, c] of ws) { len += b.copy(scratch, len, a, c); scratch[len++] = 10; }
  const all = Buffer.from(scratch.subarray(0, len));
  const re = new RE2(g.re.source, 'gmu');
  for (const chunk of [150, 1000, 6000, 64000, 1 << 20, 1 << 24]) {
    const t = performance.now(); let n = 0;
    for (let s = 0; s < all.length; s += chunk) { const input = all.subarray(s, Math.min(all.length, s + chunk)); re.lastIndex = 0; while (re.test(input)) n++; }
    console.log('chunk', chunk, (performance.now() - t).toFixed(1), 'ms', n);
  }
}
{
  const pre = [];
  for (const [b, ws] of byFile) { const parts = []; for (const [a, c] of ws) { parts.push(b.subarray(a, c), Buffer.from('\n')); } pre.push(Buffer.concat(parts)); }
  const one = Buffer.concat(pre);
  for (let r = 0; r < 2; r++) {
    for (const m of ['test', 'exec']) {
      const re = g.re; let t = performance.now(), n = 0;
      for (const input of pre) { re.lastIndex = 0; while (re[m](input)) n++; }
      console.log('pre per-file', m, (performance.now() - t).toFixed(1), n);
      t = performance.now(); n = 0;
      for (let s = 0; s < one.length; s += 6000) { const input = one.subarray(s, Math.min(one.length, s + 6000)); re.lastIndex = 0; while (re[m](input)) n++; }
      console.log('one chunked', m, (performance.now() - t).toFixed(1), n);
    }
  }
}
