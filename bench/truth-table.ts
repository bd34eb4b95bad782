// `npm run bench:truth-table`: writes the `truth` entry of the newest bench result that has one
// into bench/README.md between the `truth-table` markers, so the accuracy figures quoted there are
// always the latest run's, generated, never typed. `--print` writes the block to stdout instead.
// The same block is written by `npm run bench:table` with the performance tables (bench/lib/table-cli.ts).

import { tableMain } from './lib/table-cli.js';

await tableMain('truth');
