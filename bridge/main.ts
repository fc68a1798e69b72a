import { main } from './cli.js';

const code = await main();
if (code >= 0) process.exitCode = code;
