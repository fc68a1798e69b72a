/**
 * Entry of the agent bundle. `--version` answers before the rest of the agent is evaluated, so the
 * cheapest question a provisioning script asks costs little more than starting node.
 */
declare const MYLIC_VERSION: string | undefined;

if (process.argv.length === 3 && process.argv[2] === '--version') {
  console.log(typeof MYLIC_VERSION === 'string' ? MYLIC_VERSION : '0.0.0-dev');
} else {
  const { main } = await import('./cli.js');
  process.exitCode = await main();
}
