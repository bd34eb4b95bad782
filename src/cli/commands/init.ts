// `hcbench init [file]`: writes a commented starter scenario (never overwrites a file).

import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ExitCode, UsageError } from '../../errors.js';
import { STARTER_SCENARIO } from '../../scenario/starter.js';
import type { CliIo } from '../io.js';

export function registerInit(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  program
    .command('init')
    .description('write a commented starter scenario')
    .argument('[file]', 'where to write it', 'scenarios/my-scenario.yaml')
    .action(async (file: string) => {
      try {
        await writeFile(resolve(io.cwd, file), STARTER_SCENARIO, { flag: 'wx' });
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${file} exists; choose another name`, { cause });
        throw new UsageError(`cannot write ${file}: ${(cause as Error).message}`, { cause });
      }
      io.stdout.write(`wrote ${file}; next: hcbench validate ${file} && hcbench run ${file}\n`);
      setExit(ExitCode.Ok);
    });
}
