import { loadDefaultRuleSpecs, compileRules } from '/work/main/dist/index.js';
import { expandExample } from '/work/main/test/support/example-generator.js';
