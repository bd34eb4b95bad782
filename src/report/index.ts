// The reporter registry: format name -> pure renderer (RunResult -> string) and file name.
// Renderers never write files or print; the CLI does.

import { analyzeRun, type AnalyzeOptions } from '../analysis/analyze-run.js';
import type { RunResult } from '../metrics/result.js';
import { renderConsole } from './console.js';
import { renderCsv } from './csv.js';
import { renderHlog } from './hlog.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';

export type ReportFormat = 'console' | 'json' | 'md' | 'csv' | 'hlog' | 'html';

/** Every format, in the order `--format` lists them. */
export const REPORT_FORMATS: readonly ReportFormat[] = ['console', 'md', 'csv', 'hlog', 'html', 'json'];

/** Options shared by every renderer. */
export interface ReportOptions {
  /** Colours in the console format. Default false. */
  isTTY?: boolean;
  /** Analysis settings (confidence, resamples, seed, projection). */
  analysis?: AnalyzeOptions;
}

/** File name each format is written to inside a run folder. */
export const REPORT_FILE_NAMES: Record<ReportFormat, string> = {
  console: 'summary.txt',
  json: 'summary.json',
  md: 'summary.md',
  csv: 'summary.csv',
  hlog: 'round-trip.hlog',
  html: 'report.html',
};

/** Renders `result` in `format`. Throws only on a bug (results are validated before). */
export function renderReport(format: ReportFormat, result: RunResult, options: ReportOptions = {}): string {
  const lazyAnalysis = () => analyzeRun(result, options.analysis);
  switch (format) {
    case 'console':
      return renderConsole(result, { isTTY: options.isTTY === true, analysis: lazyAnalysis() });
    case 'md':
      return renderMarkdown(result, { analysis: lazyAnalysis() });
    case 'html':
      return renderHtml(result, { analysis: lazyAnalysis() });
    case 'csv':
      return renderCsv(result);
    case 'hlog':
      return renderHlog(result);
    case 'json':
      return renderJson(result);
  }
}
