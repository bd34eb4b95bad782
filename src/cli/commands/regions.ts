// `hcbench regions [--near NAME]`: the Azure regions of the shipped region data, or the regions
// nearest NAME with the P95 round trip in both directions (they differ; neither is mirrored).

import type { Command } from 'commander';
import { ExitCode, UsageError } from '../../errors.js';
import { regionTable } from '../../regions/load.js';
import { nearestRegions, REGION_DATA_SOURCE } from '../../regions/table.js';
import { renderTable } from '../../report/format.js';
import { closestMatch } from '../../scenario/suggest.js';
import type { CliIo } from '../io.js';

export function registerRegions(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  program
    .command('regions')
    .description('list the Azure regions of the region data, or the regions nearest one (P95 round trips, both directions)')
    .option('--near <region>', 'list every region by its P95 round trip from this one, nearest first')
    .action((flags: { near?: string }) => {
      const table = regionTable();
      if (flags.near === undefined) {
        io.stdout.write(`${table.regions.length} regions (${REGION_DATA_SOURCE}):\n${table.regions.map((r) => `  ${r}`).join('\n')}\n`);
        setExit(ExitCode.Ok);
        return;
      }
      const from = table.canonical(flags.near);
      if (from === undefined) {
        const suggestion = closestMatch(flags.near, table.regions);
        throw new UsageError(`--near: unknown Azure region ${JSON.stringify(flags.near)}`, {
          hint: suggestion === undefined ? 'hcbench regions lists them' : `did you mean \`${suggestion}\`?`,
        });
      }
      const rows = nearestRegions(table, from).map((n) => [n.region, `${n.rttP95Ms} ms`, `${table.rttP95Ms(n.region, from) ?? '–'} ms`]);
      io.stdout.write(`P95 round trips from and to ${from} (${REGION_DATA_SOURCE}):\n${renderTable([['region', `${from} →`, `→ ${from}`], ...rows])}\n`);
      setExit(ExitCode.Ok);
    });
}
