// `hcbench schema`: prints the scenario JSON Schema (the published copy is scenarios/schema.json).

import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { renderJsonSchema } from '../../scenario/json-schema.js';
import { traceJsonSchema } from '../../trace/format.js';
import type { CliIo } from '../io.js';

export function registerSchema(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  program
    .command('schema')
    .description('print the JSON Schema of scenario files (for editors and CI); --trace: of trace files')
    .option('--trace', 'the JSON Schema of trace files written by hcbench record (published as scenarios/traces/trace.schema.json)')
    .action((flags: { trace?: boolean }) => {
      io.stdout.write(flags.trace === true ? `${JSON.stringify(traceJsonSchema(), null, 2)}\n` : renderJsonSchema());
      setExit(ExitCode.Ok);
    });
}
