// `hcbench init [file]`: writes a commented starter scenario (never overwrites a file); with
// `--from-trace <trace>`, a replay scenario of that recorded trace. Its folder is created when
// missing; a file system that refuses either is an output failure (exit 11,
// fs/write-output.ts), like every other command's.

import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, extname, relative, resolve, sep } from 'node:path';
import { ExitCode, OutputWriteError, UsageError } from '../../errors.js';
import { makeDirectory, writeFailureReason } from '../../fs/write-output.js';
import { replayStarterScenario } from '../../scenario/replay-starter.js';
import { STARTER_SCENARIO } from '../../scenario/starter.js';
import { summarizeTraceFile } from '../../trace/summary.js';
import type { CliIo } from '../io.js';

/** A scenario name from a file name: letters, digits, dot, dash, underscore. */
function nameFrom(file: string): string {
  const name = basename(file, extname(file)).replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return (name === '' ? 'my-replay' : name).slice(0, 64);
}

export function registerInit(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  program
    .command('init')
    .description('write a commented starter scenario (--from-trace: a replay of a recorded trace)')
    .argument('[file]', 'where to write it', 'scenarios/my-scenario.yaml')
    .option('--from-trace <trace>', 'a trace written by hcbench record: the scenario replays it on both paths')
    .action(async (file: string, flags: { fromTrace?: string }) => {
      const target = resolve(io.cwd, file);
      let text = STARTER_SCENARIO;
      if (flags.fromTrace !== undefined) {
        const tracePath = resolve(io.cwd, flags.fromTrace);
        const summary = await summarizeTraceFile(tracePath);
        text = replayStarterScenario(nameFrom(file), relative(dirname(target), tracePath).split(sep).join('/'), summary);
      }
      await makeDirectory(dirname(target));
      try {
        await writeFile(target, text, { flag: 'wx' });
      } catch (cause) {
        const code = (cause as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new UsageError(`${file} exists; choose another name`, { cause });
        throw new OutputWriteError(`cannot write ${target}: ${writeFailureReason(cause)}`, { cause: code ?? 'error' });
      }
      io.stdout.write(`wrote ${file}; next: hcbench validate ${file} && hcbench run ${file}\n`);
      setExit(ExitCode.Ok);
    });
}
