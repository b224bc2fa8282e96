import { Command } from 'commander';
import { findConfig, readConfigFile } from '../../config/config-file.js';
import { buildRuleSet } from '../../rules.js';
import { EXIT_OK } from '../exit-codes.js';
import type { CliIO } from '../io.js';

export function rulesCommand(io: CliIO, setExit: (code: number) => void): Command {
  const cmd = new Command('rules').description('list or check the rules a scan would use');
  cmd
    .command('list')
    .description('list the rules in effect (defaults plus configuration)')
    .option('-c, --config <file>', 'configuration file (default: .keywarden.toml here)')
    .option('--json', 'print JSON')
    .action((flags: { config?: string; json?: boolean }) => {
      const config = flags.config ? readConfigFile(flags.config) : findConfig(io.cwd);
      const { meta } = buildRuleSet(config);
      const rules = [...meta.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
      if (flags.json) io.stdout(`${JSON.stringify(rules, null, 2)}\n`);
      else for (const r of rules) io.stdout(`${r.id.padEnd(44)} ${r.severity.padEnd(8)} ${r.provider.padEnd(18)} ${r.description}\n`);
      setExit(EXIT_OK);
    });
  cmd
    .command('check')
    .description('load and validate the rules and configuration, reporting every problem')
    .option('-c, --config <file>', 'configuration file (default: .keywarden.toml here)')
    .action((flags: { config?: string }) => {
      const config = flags.config ? readConfigFile(flags.config) : findConfig(io.cwd);
      const { meta } = buildRuleSet(config);
      io.stdout(`${meta.size} rules OK\n`);
      setExit(EXIT_OK);
    });
  return cmd;
}
