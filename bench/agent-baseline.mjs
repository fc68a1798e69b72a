// The baselines of the portal commands in `npm run bench` (item 5): a bare node script that makes the
// same HTTPS request(s) as the agent command with undici (from node_modules, as a script would import
// it) and prints the answer: the device's CA pinned, its session token, the same path and body. What
// the agent takes on top of this (its launcher, CLI, device store, schemas, checks of the answer, the
// files it writes) is the ratio the bench reports.
//
//   node bench/agent-baseline.mjs DEVICE_DIR licenses            GET  /device/v1/licenses
//   node bench/agent-baseline.mjs DEVICE_DIR download VERSION    POST /device/v1/license-file {version}
//   node bench/agent-baseline.mjs DEVICE_DIR invalidate FILE     POST /device/v1/invalidations (the XML)
//   node bench/agent-baseline.mjs DEVICE_DIR login EMAIL PASSWORD
//        POST /device/v1/challenge, the RSA-PSS proof with the device key, POST /device/v1/login
import { constants, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';

const [dir, what = 'licenses', ...args] = process.argv.slice(2);
const state = JSON.parse(readFileSync(join(dir, 'device.json'), 'utf8'));
const dispatcher = new Agent({ connect: { ca: readFileSync(join(dir, 'trust', 'root-ca.pem'), 'utf8') } });
const base = new URL(state.config.portalUrl);

async function send(method, path, { json, xml, token } = {}) {
  const headers = { accept: 'application/json, application/xml' };
  if (token) headers.authorization = `Bearer ${token}`;
  let body;
  if (json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (xml !== undefined) {
    headers['content-type'] = 'application/xml';
    body = xml;
  }
  const res = await dispatcher.request({ origin: base.origin, path, method, headers, body });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${method} ${path}: ${res.statusCode}: ${text}`);
  return text;
}

const token = state.session?.token;
if (what === 'licenses') {
  console.log(await send('GET', '/device/v1/licenses', { token }));
} else if (what === 'download') {
  console.log(await send('POST', '/device/v1/license-file', { token, json: { version: Number(args[0]) } }));
} else if (what === 'invalidate') {
  console.log(await send('POST', '/device/v1/invalidations', { token, xml: readFileSync(args[0], 'utf8') }));
} else if (what === 'login') {
  const hardwareId = state.hardwareId;
  const { challenge } = JSON.parse(await send('POST', '/device/v1/challenge', { json: { hardwareId } }));
  const signature = sign('sha256', Buffer.from(`device-login/${challenge}/${hardwareId}`, 'utf8'), {
    key: readFileSync(join(dir, 'device.key'), 'utf8'),
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: 32,
  }).toString('base64');
  const certificate = readFileSync(join(dir, 'device.crt'), 'utf8');
  console.log(
    await send('POST', '/device/v1/login', {
      json: { email: args[0], password: args[1], hardwareId, certificate, challenge, signature },
    }),
  );
} else {
  throw new Error(`unknown request ${what}`);
}
await dispatcher.close();
