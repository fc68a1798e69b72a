import { createInterface } from 'node:readline';
import { bindFromBalance } from '../bridge/core/licenses/index.js';
import { makeTestCore } from '../test/support/core.js';
import { bindWorkers, type WorkerSpec } from './contention.js';

/**
 * One OS process of the cross-process contention run: opens the shared SQLite file, prints
 * `ready`, waits for `go` on stdin, runs its clients and prints one JSON line with its tally.
 */
const spec = JSON.parse(process.argv[2]!) as WorkerSpec;
const { core, close } = await makeTestCore(spec.dir);
console.log('ready');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line.trim() === 'go') break;
lines.close();
const tally = await bindWorkers(spec, (mac) =>
  bindFromBalance(
    core,
    { userId: spec.userId },
    { projectId: spec.projectId, hardwareId: mac, licenseType: spec.licenseType, units: 1 },
  ),
);
await close();
console.log(JSON.stringify(tally));
