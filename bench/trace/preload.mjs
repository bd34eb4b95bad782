// Diagnosis aid (issue #12): records every socket read and write of a process with a timestamp on
// the machine's monotonic clock (comparable across processes) and writes them to
// $HCBENCH_TRACE_DIR/<pid>.log at exit. Load it into every hcbench process of a run with
//   HCBENCH_TRACE_DIR=/tmp/t NODE_OPTIONS="--import /abs/path/bench/trace/preload.mjs" <command>
// then summarise with `npx tsx bench/trace/report.ts /tmp/t`. Records sizes and ports only, never data.

import net from 'node:net';
import fs from 'node:fs';

const dir = process.env.HCBENCH_TRACE_DIR;
const MAX_ROWS = 2_000_000;
const rows = [];
const nowUs = () => {
  const [s, ns] = process.hrtime();
  return s * 1e6 + ns / 1e3;
};
if (dir !== undefined && dir !== '') {
  const emit = net.Socket.prototype.emit;
  net.Socket.prototype.emit = function traced(event, ...args) {
    if (event === 'data' && rows.length < MAX_ROWS) rows.push(`${nowUs().toFixed(1)} ${process.pid} rd ${this.localPort} ${this.remotePort} ${args[0]?.length ?? 0}`);
    return emit.call(this, event, ...args);
  };
  const write = net.Socket.prototype.write;
  net.Socket.prototype.write = function traced(chunk, ...args) {
    if (rows.length < MAX_ROWS) rows.push(`${nowUs().toFixed(1)} ${process.pid} wr ${this.localPort} ${this.remotePort} ${chunk?.length ?? 0}`);
    return write.call(this, chunk, ...args);
  };
  process.on('exit', () => fs.writeFileSync(`${dir}/${process.pid}.log`, rows.join('\n') + '\n'));
}
