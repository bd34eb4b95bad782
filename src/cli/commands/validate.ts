// `hcbench validate <file...>`: checks scenario files and prints every issue; opens no socket.

import type { Command } from 'commander';
import { ExitCode, ScenarioError } from '../../errors.js';
import { loadScenarioFile } from '../../scenario/load.js';
import type { CliIo } from '../io.js';
import { printScenarioError } from '../print-error.js';

export function registerValidate(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  program
    .command('validate')
    .description('check scenario files and print every problem (exit 3 if any)')
    .argument('<files...>', 'scenario files (YAML or JSON)')
    .action(async (files: string[]) => {
      let isValid = true;
      for (const file of files) {
        try {
          await loadScenarioFile(file);
          io.stdout.write(`${file}: ok\n`);
        } catch (error) {
          if (!(error instanceof ScenarioError)) throw error;
          isValid = false;
          printScenarioError(io, error);
        }
      }
      setExit(isValid ? ExitCode.Ok : ExitCode.InvalidScenario);
    });
}
