import { describe, expect, it } from 'vitest';
import { agent } from '../support/cli.js';

/**
 * With --json the built `mylic` prints exactly one JSON document on stdout, whatever it is asked:
 * also for its version, its usage, and a command line without a command.
 */
describe('`mylic` with --json always prints one JSON document', () => {
  const oneJsonDocument = (stdout: string) => {
    expect(stdout.trim().split('\n')).toHaveLength(1);
    return JSON.parse(stdout);
  };

  it('prints the version as JSON for `--version --json` and `--json --version`, and as text without --json', async () => {
    const plain = await agent(['--version']);
    expect(plain.code).toBe(0);
    const version = plain.stdout.trim();
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    for (const args of [
      ['--version', '--json'],
      ['--json', '--version'],
    ]) {
      const r = await agent(args);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(oneJsonDocument(r.stdout)).toEqual({ ok: true, command: 'version', result: { version } });
    }
  });

  it('prints the usage as JSON for `--help --json` and `-h --json`, exit code 0', async () => {
    const text = await agent(['--help']);
    for (const args of [
      ['--help', '--json'],
      ['-h', '--json'],
    ]) {
      const r = await agent(args);
      expect(r.code).toBe(0);
      const doc = oneJsonDocument(r.stdout);
      expect(doc).toMatchObject({
        ok: true,
        command: 'help',
        result: { usage: text.stdout.trim(), exitCodes: { OK: 0, USAGE: 2, CHECK: 8 } },
      });
    }
  });

  it('answers `mylic --json` without a command with a USAGE error as JSON and exit code 2', async () => {
    const r = await agent(['--json']);
    expect(r.code).toBe(2);
    const doc = oneJsonDocument(r.stdout);
    expect(doc).toMatchObject({
      ok: false,
      error: { code: 'USAGE', details: { usage: expect.stringContaining('usage: mylic') } },
    });
    expect(r.stderr).toBe('');
    // Without --json it stays the text usage.
    const plain = await agent([]);
    expect(plain.code).toBe(2);
    expect(plain.stdout).toMatch(/^usage: mylic/);
  });

  it('still reads `--version V` after a command as the license version', async () => {
    const r = await agent(['download', '--version', '99', '--dir', '/nonexistent-mylic-device', '--json']);
    expect(r.code).toBe(2);
    expect(oneJsonDocument(r.stdout).error.code).toBe('VERSION_INVALID');
  });
});
