// `hcbench calibrate`: measures this machine's noise floor and the accuracy of injected delays,
// prints them (or --json), and can save them (--save <file>) for `hcbench run --calibration`.

import type { Command } from 'commander';
import { writeOutputFile } from '../../fs/write-output.js';
import { ExitCode } from '../../errors.js';
import { renderCalibration } from '../../calibrate/render.js';
import { runCalibration } from '../../calibrate/run-calibration.js';
import type { CliIo } from '../io.js';

interface CalibrateFlags {
  json?: boolean;
  save?: string;
  quick?: boolean;
}

export function registerCalibrate(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  program
    .command('calibrate')
    .description('measure the noise floor (timer, event loop, loopback RTT) and how exact injected delays (1, 5, 20 ms per leg) are')
    .option('--json', 'print the figures as JSON')
    .option('--save <file>', 'also write the figures as JSON, for `hcbench run --calibration <file>`')
    .option('--quick', 'fewer samples (faster, noisier)')
    .action(async (flags: CalibrateFlags) => {
      const result = await runCalibration({
        isQuick: flags.quick === true,
        signal: io.signal,
        onProgress: (message) => io.stderr.write(`calibrate: ${message}\n`),
      });
      const json = `${JSON.stringify(result, null, 2)}\n`;
      // Printed first, so a failing --save (exit 11) never loses the measured figures.
      io.stdout.write(flags.json === true ? json : renderCalibration(result));
      if (flags.save !== undefined) io.stderr.write(`calibration: ${await writeOutputFile(io.cwd, flags.save, json)}\n`);
      setExit(ExitCode.Ok);
    });
}
