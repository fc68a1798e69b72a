import { vi } from 'vitest';
import { main as bridgeMain } from '../../bridge/cli.js';

/**
 * Runs `mylic-bridge …` in this process against a test database (the data folder and SQLite file a
 * TestCore uses), capturing what it prints; the environment and console are restored afterwards.
 */
export async function bridgeInProcess(
  dataDir: string,
  sqliteFile: string,
  args: string[],
): Promise<{ code: number; out: string }> {
  const saved = { MYLIC_DATA: process.env.MYLIC_DATA, MYLIC_SQLITE: process.env.MYLIC_SQLITE };
  process.env.MYLIC_DATA = dataDir;
  process.env.MYLIC_SQLITE = sqliteFile;
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((s: unknown) => void out.push(String(s)));
  const err = vi.spyOn(console, 'error').mockImplementation((s: unknown) => void out.push(String(s)));
  try {
    return { code: await bridgeMain(args), out: out.join('\n') };
  } finally {
    log.mockRestore();
    err.mockRestore();
    // Restore the environment as it was.
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
