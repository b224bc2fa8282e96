import { compileRules } from '../../src/config/load-rules.js';
import { Engine, type EngineOptions } from '../../src/engine/detect.js';
import type { RuleSpec } from '../../src/types.js';

export function spec(partial: Partial<RuleSpec> & Pick<RuleSpec, 'id' | 'regex' | 'keywords'>): RuleSpec {
  return { description: `test rule ${partial.id}`, severity: 'high', provider: 'test', ...partial };
}

export function engineFor(specs: RuleSpec[], opts?: EngineOptions): Engine {
  return new Engine(compileRules(specs), opts);
}

export function scanText(engine: Engine, text: string | Buffer, path = 'file.txt') {
  return engine.scan({ bytes: Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'), path }).matches;
}
