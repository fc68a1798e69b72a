// The baseline of a portal command in `npm run bench` (item 5): a bare node script that makes the same
// HTTPS request as `mylic licenses --json` with undici (from node_modules, as a script would import it)
// and prints the answer: the device's CA pinned, its session token, GET /device/v1/licenses. What the
// agent takes on top of this (its launcher, CLI, device store, schemas) is the ratio the bench reports.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';

const dir = process.argv[2];
const state = JSON.parse(readFileSync(join(dir, 'device.json'), 'utf8'));
const dispatcher = new Agent({ connect: { ca: readFileSync(join(dir, 'trust', 'root-ca.pem'), 'utf8') } });
const url = new URL('/device/v1/licenses', state.config.portalUrl);
const res = await dispatcher.request({
  origin: url.origin,
  path: url.pathname,
  method: 'GET',
  headers: { accept: 'application/json, application/xml', authorization: `Bearer ${state.session.token}` },
});
const body = await res.body.text();
if (res.statusCode !== 200) throw new Error(`${res.statusCode}: ${body}`);
console.log(body);
await dispatcher.close();
