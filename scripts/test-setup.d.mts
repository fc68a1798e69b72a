// Types of test-setup.mjs, for test/unit/test-setup.test.ts (the script itself is plain JavaScript).
export declare const INSTALL_SCRIPT: string;
export declare const INSTALL_COMMAND: string;
export declare const SYSTEM_DIRS: string[];
export declare const POSTGRES_ROOT: string;
export declare function missingBinaries(
  env?: { PATH?: string; MYLIC_CHROMIUM?: string; MYLIC_PG_BIN?: string },
  systemDirs?: string[],
  postgresRoot?: string,
): string[];
export declare function plan(facts: {
  missing: string[];
  isRoot: boolean;
  sudo: boolean;
  chromiumOverride?: string;
}): { action: 'ready' } | { action: 'install'; command: string[] } | { action: 'stop'; message: string };
