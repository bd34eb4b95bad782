// `hcbench init [file]`: writes a commented starter scenario (never overwrites a file). Its
// folder is created when missing; a file system that refuses either is an output failure (exit 11,
// fs/write-output.ts), like every other command's.

import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ExitCode, OutputWriteError, UsageError } from '../../errors.js';
import { makeDirectory, writeFailureReason } from '../../fs/write-output.js';
import { STARTER_SCENARIO } from '../../scenario/starter.js';
import type { CliIo } from '../io.js';

export function registerInit(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  program
    .command('init')
    .description('write a commented starter scenario')
    .argument('[file]', 'where to write it', 'scenarios/my-scenario.yaml')
    .action(async (file: string) => {
      const target = resolve(io.cwd, file);
      await makeDirectory(dirname(target));
      try {
        await writeFile(target, STARTER_SCENARIO, { flag: 'wx' });
      } catch (cause) {
        const code = (cause as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new UsageError(`${file} exists; choose another name`, { cause });
        throw new OutputWriteError(`cannot write ${target}: ${writeFailureReason(cause)}`, { cause: code ?? 'error' });
      }
      io.stdout.write(`wrote ${file}; next: hcbench validate ${file} && hcbench run ${file}\n`);
      setExit(ExitCode.Ok);
    });
}
