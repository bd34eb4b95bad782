// `hcbench schema`: prints the scenario JSON Schema (the published copy is scenarios/schema.json).

import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { renderJsonSchema } from '../../scenario/json-schema.js';
import type { CliIo } from '../io.js';

export function registerSchema(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  program
    .command('schema')
    .description('print the JSON Schema of scenario files (for editors and CI)')
    .action(() => {
      io.stdout.write(renderJsonSchema());
      setExit(ExitCode.Ok);
    });
}
