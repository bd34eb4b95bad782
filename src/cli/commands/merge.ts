// `hcbench merge <result.json...> --out merged.json [--allow-partial]`: the shard results of one
// `hcbench run --shard I/N` merged exactly into one ordinary result (see analysis/shard-merge.ts).
// Files are read one at a time (checked for type and size) and folded, so memory stays that of
// one result per thread (merge-fold.ts: worker threads fold the shares of large merges).
// Refusals exit 9 with the reason; unreadable inputs exit 2.

import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { createShardMerger } from '../../analysis/shard-merge.js';
import { writeOutputFile } from '../../fs/write-output.js';
import { renderReport } from '../../report/index.js';
import { renderThresholdsText } from '../../report/threshold-text.js';
import { thresholdsPassed } from '../../analysis/thresholds.js';
import type { CliIo } from '../io.js';
import { foldResultFiles } from '../merge-fold.js';

interface MergeFlags {
  out: string;
  allowPartial?: boolean;
}

/** Most inputs of one merge (the most shards of a run). */
const MAX_INPUTS = 1024;

export function registerMerge(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  program
    .command('merge')
    .description('merge the shard results of one `hcbench run --shard I/N` exactly (histograms added, counters summed) into one result')
    .argument('<results...>', "every shard's summary.json (or run folder)")
    .requiredOption('--out <file>', 'where the merged result (summary.json format) is written')
    .option('--allow-partial', 'merge even when shards are missing (the result is marked partial)')
    .action(async (files: string[], flags: MergeFlags) => {
      if (files.length > MAX_INPUTS) {
        io.stderr.write(`error: at most ${MAX_INPUTS} results, got ${files.length}\n`);
        setExit(ExitCode.Usage);
        return;
      }
      const merger = createShardMerger({ allowPartial: flags.allowPartial === true });
      await foldResultFiles(merger, files, io);
      if (io.signal.aborted) {
        setExit(ExitCode.Interrupted);
        return;
      }
      const merged = merger.finish();
      const written = await writeOutputFile(io.cwd, flags.out, renderReport('json', merged));
      const info = merged.merge;
      const partial = info?.partial === true ? `, PARTIAL: shard${info.missing.length === 1 ? '' : 's'} ${info.missing.join(', ')} missing` : '';
      io.stderr.write(`merge: ${info?.shards.length ?? 0} of ${info?.count ?? 0} shards${partial}; windows aligned within ${(info?.worstAlignmentMs ?? 0).toFixed(1)} ms\n`);
      io.stderr.write(`merge: ${written}\n`);
      // The scenario's thresholds, judged on the merged result as `run` judges its own.
      io.stdout.write(renderThresholdsText(merged.thresholds ?? []));
      setExit(merged.thresholds !== undefined && !thresholdsPassed(merged.thresholds) ? ExitCode.ThresholdsFailed : ExitCode.Ok);
    });
}
