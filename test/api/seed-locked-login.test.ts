import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCompany } from '../../bridge/core/organisation/index.js';
import { MESSAGES } from '../../bridge/web/i18n.js';
import { SESSION_COOKIE } from '../../bridge/web/web-session.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { expectError, loginPortal, makeUser } from '../bridge/fixtures.js';
import { addMember, call, keyCompany, lockMember, ok, type KeyCompany } from './keys-fixtures.js';

/**
 * Issue 15 item 9, the seed's locked users:
 *   L269 "Locked users can't loggin to my.innovaphone.com any more."
 *   L272 "… the users rights, company admin and locked status can be different for all companies …"
 *   L301 "You'll get an error, if you try to switch to a company, where your account is locked."
 *   L303 "If you loggin, the first found company is selected for your user."
 * A user locked in every company of theirs cannot log in (portal page, API log-in, API token); a user
 * locked in only some lands in the first company where they are not locked.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: KeyCompany;
let cid: KeyCompany;

beforeAll(async () => {
  root = await tempDir('mylic-seed-locked-');
  tc = await makeTestCore(root.dir);
  ann = await keyCompany(tc, 'ann');
  cid = await keyCompany(tc, 'cid');
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

const ORIGIN = 'https://portal.test';
const loginPage = (email: string, password: string, lang = 'en') =>
  tc.app.request(`${ORIGIN}/login`, {
    method: 'POST',
    headers: {
      host: 'portal.test',
      accept: 'text/html',
      origin: ORIGIN,
      'accept-language': lang,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ email, password }).toString(),
  });

const sessionsOf = async (userId: number) =>
  (await tc.core.store.db.selectFrom('sessions').select('token_hash').where('user_id', '=', userId).execute())
    .length;

describe('L269: a user locked in every company of theirs cannot log in', () => {
  it('L269: the API log-in answers 403 USER_LOCKED and opens no session', async () => {
    const lou = await addMember(tc, ann.companyId, 'lou');
    await lockMember(tc, lou.user.id, ann.companyId);
    const before = await sessionsOf(lou.user.id);
    await expectError(
      await call(tc.app, 'POST', '/session', undefined, {
        email: lou.user.email,
        password: lou.user.password,
      }),
      403,
      'USER_LOCKED',
    );
    expect(await sessionsOf(lou.user.id)).toBe(before);
  });

  it('L269: the portal log-in page says so in German, keeps the e-mail and sets no session cookie', async () => {
    const lia = await addMember(tc, ann.companyId, 'lia');
    await lockMember(tc, lia.user.id, ann.companyId);
    const res = await loginPage(lia.user.email, lia.user.password, 'de');
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie') ?? '').not.toContain(`${SESSION_COOKIE}=`);
    const html = await res.text();
    expect(html).toContain(MESSAGES.de.loginLockedEverywhere);
    expect(html).toContain(lia.user.email);
  });

  it('L269: an API token made before the lock stops working, even for the routes that need no company', async () => {
    const lex = await addMember(tc, ann.companyId, 'lex');
    const token = (await ok(call(tc.app, 'POST', '/account/tokens', lex.token, { label: 'script' }), 201))
      .token as string;
    await ok(call(tc.app, 'GET', '/account', token));
    await lockMember(tc, lex.user.id, ann.companyId);
    await expectError(await call(tc.app, 'GET', '/account', token), 403, 'USER_LOCKED');
    await expectError(await call(tc.app, 'GET', '/companies', token), 403, 'USER_LOCKED');
    // Unlocked again, the same token works again: the lock, not the token, kept the user out.
    await tc.core.store.db
      .updateTable('memberships')
      .set({ is_locked: 0 })
      .where('user_id', '=', lex.user.id)
      .execute();
    await ok(call(tc.app, 'GET', '/companies', token));
  });

  it('L269: a wrong password of a locked user is still just a failed log-in (the lock is not told to guessers)', async () => {
    const lyn = await addMember(tc, ann.companyId, 'lyn');
    await lockMember(tc, lyn.user.id, ann.companyId);
    await expectError(
      await call(tc.app, 'POST', '/session', undefined, {
        email: lyn.user.email,
        password: 'wrong password!',
      }),
      401,
      'LOGIN_FAILED',
    );
  });

  it('L269: a user with no company at all still logs in (to create or join one)', async () => {
    const solo = await makeUser(tc, 'solo-locked-test@example.test');
    const token = await loginPortal(tc.app, solo);
    expect((await ok(call(tc.app, 'GET', '/companies', token))).selectedCompanyId).toBeNull();
  });
});

describe('L303/L272: a user locked in only some companies lands in the first unlocked one', () => {
  it('L303: locked in the first company, the log-in selects the next company where the user is not locked', async () => {
    const mo = await addMember(tc, ann.companyId, 'mo');
    await tc.core.store.db
      .insertInto('memberships')
      .values({
        user_id: mo.user.id,
        company_id: cid.companyId,
        is_admin: 0,
        is_locked: 0,
        created_at: new Date(Date.now() + 1000).toISOString(),
      })
      .execute();
    const first = await loginPortal(tc.app, mo.user);
    expect((await ok(call(tc.app, 'GET', '/companies', first))).selectedCompanyId).toBe(ann.companyId);
    await lockMember(tc, mo.user.id, ann.companyId);
    const again = await loginPortal(tc.app, mo.user);
    expect((await ok(call(tc.app, 'GET', '/companies', again))).selectedCompanyId).toBe(cid.companyId);
    // L301: switching to the company that locked them is an error; the portal page log-in works too.
    await expectError(
      await call(tc.app, 'PUT', '/session/company', again, { companyId: ann.companyId }),
      403,
      'USER_LOCKED',
    );
    expect((await loginPage(mo.user.email, mo.user.password)).status).toBe(303);
  });

  it('L272: a company created later by a user locked elsewhere is theirs to log in to', async () => {
    const ned = await addMember(tc, ann.companyId, 'ned');
    await lockMember(tc, ned.user.id, ann.companyId);
    const own = await createCompany(tc.core, ned.user.id, 'Ned’s own company');
    const token = await loginPortal(tc.app, ned.user);
    expect((await ok(call(tc.app, 'GET', '/companies', token))).selectedCompanyId).toBe(own.companyId);
  });
});
