// Reads a calibration file written by `hcbench calibrate --save <file>` so a run can carry it in
// its environment section. Checks the shape it relies on; never measures.

import { readInputFile } from '../fs/read-input.js';
import { UsageError } from '../errors.js';
import type { CalibrationResult } from '../metrics/calibration-result.js';

/** Parses calibration JSON text; throws UsageError (exit 2) naming `file` when it is not one. */
export function parseCalibration(text: string, file: string): CalibrationResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new UsageError(`${file}: not JSON`, { cause, hint: 'write one with `hcbench calibrate --save <file>`' });
  }
  const d = data as Partial<CalibrationResult> | null;
  const isShape =
    d !== null &&
    typeof d === 'object' &&
    d.calibrationVersion === 1 &&
    typeof d.measuredAt === 'string' &&
    typeof d.noiseFloor === 'object' &&
    Array.isArray(d.delays) &&
    typeof d.resolution === 'object';
  if (!isShape) {
    throw new UsageError(`${file}: not an hcbench calibration (calibrationVersion 1)`, { hint: 'write one with `hcbench calibrate --save <file>`' });
  }
  return d as CalibrationResult;
}

/** Reads and parses a calibration file. */
export async function readCalibration(file: string): Promise<CalibrationResult> {
  const read = await readInputFile(file, 'calibration');
  if (!read.ok) throw new UsageError(`${file}: calibration file ${read.reason}`, { hint: 'write one with `hcbench calibrate --save <file>`' });
  return parseCalibration(read.bytes.toString('utf8'), file);
}
