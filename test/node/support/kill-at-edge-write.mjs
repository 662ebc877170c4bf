// Preload for crash tests (`node --import THIS bin/qdyp.js …`): SIGKILLs the process just
// BEFORE the Nth rename into the edge directory, i.e. before the Nth artifact becomes visible.
//   QDYP_KILL_EDGE_DIR  the edge directory (renames whose destination is inside it are counted)
//   QDYP_KILL_AT_WRITE  N (default 1)
//   QDYP_KILL_MATCH     optional regex: only destinations whose basename matches are counted
// src/node/files.ts renames through the default export of node:fs, so that object is wrapped.
// Just before the kill one line goes to fd 2: `qdyp-kill: N DESTINATION` (the test checks it).
import fs from 'node:fs';
import path from 'node:path';

const dir = process.env.QDYP_KILL_EDGE_DIR;
if (dir) {
  const root = path.resolve(dir) + path.sep;
  const at = Number(process.env.QDYP_KILL_AT_WRITE || '1');
  const match = process.env.QDYP_KILL_MATCH ? new RegExp(process.env.QDYP_KILL_MATCH) : null;
  if (!Number.isInteger(at) || at < 1) throw new Error(`QDYP_KILL_AT_WRITE must be a whole number ≥ 1, not ${process.env.QDYP_KILL_AT_WRITE}`);
  const rename = fs.renameSync;
  let seen = 0;
  fs.renameSync = function renameSync(from, to) {
    const dest = path.resolve(String(to));
    if (dest.startsWith(root) && (!match || match.test(path.basename(dest)))) {
      seen += 1;
      if (seen === at) {
        fs.writeSync(2, `qdyp-kill: ${seen} ${path.relative(root, dest)}\n`);
        process.kill(process.pid, 'SIGKILL');
      }
    }
    return rename.call(this, from, to);
  };
}
