import { Engine, loadDefaultRuleSpecs, compileRules } from '/work/main/dist/index.js';
import fs from 'node:fs'; import path from 'node:path';
const rules = compileRules(await loadDefaultRuleSpecs());
const eng = new Engine(rules);
const g = rules.find(r => r.id === 'generic-secret-assignment');
const dir = 'bench/.corpus/synthetic-100mb'; const files=[];
(function walk(d){for(const e of fs.readdirSync(d,{withFileTypes:true})){const p=path.join(d,e.name); if(e.isDirectory())walk(p); else files.push(p);}})(dir);
const cnt = new Map(); let occ = 0; const samples = [];
for (const f of files) { const b = fs.readFileSync(f); const c = eng.candidates(b); for (const k of g.keywords) { if (!c.present.has(k)) continue; const p = c.positions.of(k); if (!p) { cnt.set(k + '(dense)', (cnt.get(k + '(dense)') || 0) + 1); continue; } cnt.set(k, (cnt.get(k) || 0) + p.length); occ += p.length; if (k === 'token') for (const q of p) if (samples.length < 60 && Math.random() < 0.0003) { const s = b.lastIndexOf(10, q) + 1; samples.push(b.toString('utf8', s, b.indexOf(10, q))); } } }
console.log(occ, [...cnt].sort((a, b) => b[1] - a[1]).slice(0, 12));
console.log(samples.join('\n'));
