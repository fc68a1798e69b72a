import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueVendorKey } from '../../bridge/core/keys/index.js';
import { MESSAGES } from '../../bridge/web/i18n.js';
import { csrfFor } from '../../bridge/web/web-session.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { makeTenant, type Tenant } from '../bridge/fixtures.js';
import { logInThroughPage } from '../support/page-session.js';

/**
 * Activations as pages (seed: Activations): the key's licenses are shown first, redeemed on the second
 * button into the chosen project; a wrong or used key is a sentence beside the field; no form works
 * without the session's CSRF token; a key into another company's project is refused and changes nothing.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant;
let bob: Tenant;
const ORIGIN = 'https://portal.test';

beforeAll(async () => {
  root = await tempDir('mylic-web-activations-');
  tc = await makeTestCore(root.dir);
  ann = await makeTenant(tc, { name: 'ann', mac: '00-90-33-64-00-01' });
  bob = await makeTenant(tc, { name: 'bob', mac: '00-90-33-64-00-02' });
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

const request = (path: string, opts: { cookie: string; form?: Record<string, string>; lang?: string }) =>
  tc.app.request(`${ORIGIN}${path}`, {
    method: opts.form ? 'POST' : 'GET',
    ...(opts.form ? { body: new URLSearchParams(opts.form).toString() } : {}),
    headers: {
      host: 'portal.test',
      accept: 'text/html',
      'accept-language': opts.lang ?? 'en',
      cookie: opts.cookie,
      ...(opts.form ? { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
  });
const logIn = (user: { email: string; password: string }) => logInThroughPage(tc.app, user);
const balanceOf = async (projectId: number, type: string) =>
  (
    await tc.core.store.db
      .selectFrom('balances')
      .select('units')
      .where('project_id', '=', projectId)
      .where('license_type', '=', type)
      .executeTakeFirst()
  )?.units ?? 0;

describe('activations', () => {
  it('shows the licenses of a key first, then redeems it into the chosen project', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const { key } = await issueVendorKey(tc.core, { licenses: [{ type: 'GW-Channel', units: 3 }] });
    const before = await balanceOf(ann.projectId, 'GW-Channel');
    const preview = await request('/activations/preview', {
      cookie,
      lang: 'de',
      form: { csrf, key: key.toLowerCase(), projectId: String(ann.projectId) },
    });
    const html = await preview.text();
    expect(html).toContain('Dieser Schlüssel enthält:');
    expect(html).toContain('3 × GW-Channel');
    expect(await balanceOf(ann.projectId, 'GW-Channel')).toBe(before);
    const redeemed = await request('/activations/redeem', {
      cookie,
      form: { csrf, key, projectId: String(ann.projectId), comment: 'order 1' },
    });
    expect(redeemed.status).toBe(303);
    expect(await balanceOf(ann.projectId, 'GW-Channel')).toBe(before + 3);
    const list = await (await request(redeemed.headers.get('location')!, { cookie })).text();
    expect(list).toContain('is redeemed');
    expect(list).toContain('order 1');
    // Again: a sentence beside the field, nothing added.
    const again = await request('/activations/redeem', {
      cookie,
      form: { csrf, key, projectId: String(ann.projectId) },
    });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain(MESSAGES.en.keyAlreadyRedeemed);
    expect(await balanceOf(ann.projectId, 'GW-Channel')).toBe(before + 3);
  });

  it('answers a key that does not exist with a sentence, the input kept', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const res = await request('/activations/preview', {
      cookie,
      lang: 'nl',
      form: { csrf, key: 'ABCDE-FGHJK-LMNPQ-RSTUV-WXYZ2', projectId: String(ann.projectId) },
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain(MESSAGES.nl.keyNotFound);
    expect(html).toContain('value="ABCDE-FGHJK-LMNPQ-RSTUV-WXYZ2"');
  });

  it("refuses without the session's CSRF token, and into another company's project, changing nothing", async () => {
    const { cookie, csrf } = await logIn(bob.user);
    const { key } = await issueVendorKey(tc.core, { licenses: [{ type: 'GW-Channel', units: 2 }] });
    const before = await balanceOf(ann.projectId, 'GW-Channel');
    const bobsBefore = await balanceOf(bob.projectId, 'GW-Channel');
    expect(
      (
        await request('/activations/redeem', {
          cookie,
          form: { csrf: csrfFor('x'.repeat(43)), key, projectId: String(bob.projectId) },
        })
      ).status,
    ).toBe(403);
    expect(await balanceOf(bob.projectId, 'GW-Channel')).toBe(bobsBefore);
    const into = await request('/activations/redeem', {
      cookie,
      form: { csrf, key, projectId: String(ann.projectId) },
    });
    expect(into.status).toBe(400);
    expect(await into.text()).toContain(MESSAGES.en.notFound);
    expect(await balanceOf(ann.projectId, 'GW-Channel')).toBe(before);
    // The key is still there for Bob's own project.
    expect(
      (
        await request('/activations/redeem', {
          cookie,
          form: { csrf, key, projectId: String(bob.projectId) },
        })
      ).status,
    ).toBe(303);
    expect(await balanceOf(bob.projectId, 'GW-Channel')).toBe(bobsBefore + 2);
  });
});
