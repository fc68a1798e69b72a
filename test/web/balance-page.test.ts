import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProject } from '../api/keys-fixtures.js';
import { operatorCredit } from '../../bridge/core/organisation/index.js';
import { MESSAGES } from '../../bridge/web/i18n.js';
import { SESSION_COOKIE } from '../../bridge/web/web-session.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { makeTenant, type Tenant } from '../bridge/fixtures.js';

/** The balance page (seed: Balance): the company's licenses per project, and nothing of another company. */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant;
let bob: Tenant;
const ORIGIN = 'https://portal.test';

beforeAll(async () => {
  root = await tempDir('mylic-web-balance-');
  tc = await makeTestCore(root.dir);
  ann = await makeTenant(tc, { name: 'ann', mac: '00-90-33-63-00-01' });
  bob = await makeTenant(tc, { name: 'bob', mac: '00-90-33-63-00-02' });
  await addProject(tc, ann.companyId, 'Lab');
  await operatorCredit(tc.core, ann.companyId, 'Lab', 'GW-Channel', 1234, 'fixture');
  await operatorCredit(tc.core, bob.companyId, 'DEFAULT', 'Relay-PRI', 7, 'fixture');
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

const page = (path: string, cookie?: string, lang = 'en') =>
  tc.app.request(`${ORIGIN}${path}`, {
    headers: {
      host: 'portal.test',
      accept: 'text/html',
      'accept-language': lang,
      ...(cookie ? { cookie } : {}),
    },
  });
async function logIn(user: { email: string; password: string }) {
  const res = await tc.app.request(`${ORIGIN}/login`, {
    method: 'POST',
    body: new URLSearchParams(user).toString(),
    headers: { host: 'portal.test', origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
  });
  return `${SESSION_COOKIE}=${new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(res.headers.get('set-cookie') ?? '')![1]}`;
}

describe('the balance page', () => {
  it('needs a session', async () => {
    expect((await page('/balance')).headers.get('location')).toBe('/login?next=%2Fbalance');
  });

  it("shows the company's balance per license type and project, numbers in the user's language", async () => {
    const html = await (await page('/balance', await logIn(ann.user), 'de')).text();
    expect(html).toContain('<h1>Guthaben</h1>');
    expect(html).toContain('GW-Channel');
    expect(html).toContain('1.234');
    expect(html).toContain('Lab');
    expect(html).not.toContain('Relay-PRI');
  });

  it('shows another company only its own balance', async () => {
    const html = await (await page('/balance', await logIn(bob.user))).text();
    expect(html).toContain('Relay-PRI');
    expect(html).not.toContain('1,234');
    expect(html).not.toContain('Lab');
  });

  it('says so to a locked member and shows nothing', async () => {
    const carl = await makeTenant(tc, { name: 'carl', mac: '00-90-33-63-00-03' });
    const cookie = await logIn(carl.user);
    await tc.core.store.db
      .updateTable('memberships')
      .set({ is_locked: 1 })
      .where('user_id', '=', carl.user.id)
      .execute();
    const html = await (await page('/balance', cookie)).text();
    expect(html).toContain(MESSAGES.en.locked);
    expect(html).not.toContain('<table');
  });
});
