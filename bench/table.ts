// `npm run bench:table`: the performance table of README.md and bench/README.md and the truth
// table of bench/README.md, generated from the newest bench/results/*.json (bench/lib/table-cli.ts).
// Flags: --results DIR, --readme FILE, --bench-readme FILE, --print (stdout, nothing written).

import { tableMain } from './lib/table-cli.js';

await tableMain('all');
