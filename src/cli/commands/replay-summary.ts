// `hcbench replay-summary <trace>`: what a recorded trace says before anything is replayed
// (round trips per conversation, sizes, think and server times, reuse). Text, or --json.

import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { renderTraceSummary, summarizeTraceFile } from '../../trace/summary.js';
import type { CliIo } from '../io.js';

export function registerReplaySummary(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  program
    .command('replay-summary')
    .description('summarize a recorded trace: round trips per conversation, sizes, think and server times')
    .argument('<trace>', 'a trace written by hcbench record')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, flags: { json?: boolean }) => {
      const summary = await summarizeTraceFile(file);
      io.stdout.write(flags.json === true ? `${JSON.stringify(summary, null, 2)}\n` : renderTraceSummary(summary, file));
      setExit(ExitCode.Ok);
    });
}
