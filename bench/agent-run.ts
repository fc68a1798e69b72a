import { loadavg } from 'node:os';
import { benchAgent } from './agent.js';
import { machine, renderTable } from './report.js';
import { setupWorld } from './setup.js';

/**
 * `npx tsx bench/agent-run.ts` (after `npm run build`): item 5 of `npm run bench` alone, the agent's
 * bundle and cold starts against a small bridge world, for working on the agent without the
 * minutes of HTTPS load the other items take. BENCH_RUNS as in bench/run.ts.
 */
const runs = Number(process.env.BENCH_RUNS) > 0 ? Number(process.env.BENCH_RUNS) : 15;
const log = (s: string) => process.stderr.write(`[bench agent] ${s}\n`);
const m = machine();
log(
  `${m.cpuModel} x${m.cpuCount}, node ${m.node}, load average ${m.loadAverage.map((l) => l.toFixed(2)).join(' ')}`,
);
const world = await setupWorld({ downloadDevices: 2, invalidationDevices: 2, keyPoolSize: 2, log });
try {
  const agent = await benchAgent(world, { runs, log });
  console.log(renderTable(agent.figures));
  console.log(
    `Agent bundle by package: ${agent.composition.map((c) => `${c.name} ${(c.bytes / 1000).toFixed(0)} kB`).join(', ')}`,
  );
  console.log(
    `Agent files per command, kB loaded (up to, with its lazy imports): ${agent.perCommand.map((c) => `${c.command} ${(c.bytes / 1000).toFixed(0)}${c.upToBytes > c.bytes ? ` (${(c.upToBytes / 1000).toFixed(0)})` : ''}`).join(', ')}`,
  );
  console.log(
    `load average at the start ${m.loadAverage.map((l) => l.toFixed(2)).join(' ')}, at the end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
} finally {
  await world.cleanup();
}
