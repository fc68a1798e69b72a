import { constants, createPrivateKey, randomUUID, sign, verify, X509Certificate } from 'node:crypto';
import { sql } from 'kysely';
import { bindFromBalance } from '../bridge/core/licenses/index.js';
import { actAs, operatorCredit } from '../bridge/core/organisation/index.js';
import { assertCertificate } from '../certs/index.js';
import { encodeConfirmation, encodeInvalidation, openInvalidation } from '../protocol/documents/index.js';
import { fmtLoadCpu, httpsFigures, type HttpsTiming } from './download.js';
import { runLoad, type LaneItem, type LoadResult } from './load.js';
import type { Figure } from './report.js';
import type { BenchDevice, BenchWorld } from './setup.js';
import { opsPerSecond } from './stats.js';

/**
 * Item 2: invalidation upload (verify the device signature and certificate, ledger transaction,
 * signed confirmation). Every request carries a fresh document that returns one bound license;
 * documents are made before the timed run, one lane (worker) per device so each device's counters
 * arrive in order.
 */
const PBX = 'PBX-Port13';

function invalidationDoc(d: BenchDevice, counter: number, serials: string[]) {
  return encodeInvalidation(
    {
      kind: 'invalidation',
      hardwareId: d.hardwareId,
      documentId: randomUUID(),
      deviceCounter: counter,
      createdAt: new Date().toISOString(),
      fileId: randomUUID(),
      version: 13,
      serials,
    },
    d.keyPem,
    d.certPem,
  );
}

export async function benchInvalidation(
  world: BenchWorld,
  bridgePort: number,
  t: HttpsTiming,
  ceilingB: LoadResult,
  log: (s: string) => void,
) {
  const issuers = [world.pki.deviceCa.certPem, world.pki.root.certPem];
  const laKeyPem = world.pki.licenseAuthority.keyPem;
  const d0 = world.invalidationDevices[0]!;

  // (a) what the bridge does with the document, without HTTP and database: open (XML, signature),
  // chain check of the embedded certificate, signed confirmation.
  const sample = Array.from({ length: 16 }, (_, i) => invalidationDoc(d0, i + 1, ['L-00000000000000AA']));
  const ceilingLoop = () =>
    opsPerSecond((i) => {
      const { payload, deviceCertPem } = openInvalidation(sample[i % sample.length]!);
      assertCertificate(deviceCertPem, { issuers, at: new Date(), expectedCommonName: payload.hardwareId });
      const { hardwareId, documentId, deviceCounter, serials } = payload;
      encodeConfirmation(
        {
          kind: 'confirmation',
          hardwareId,
          documentId,
          deviceCounter,
          issuedAt: new Date().toISOString(),
          accepted: serials,
          rejected: [],
        },
        laKeyPem,
      );
    }, t.ceilingMs);
  const aBefore = ceilingLoop();
  // (a0) the RSA work alone, keys parsed once: verify the document, verify the 2 chain links, sign.
  const laKey = createPrivateKey(laKeyPem);
  const leaf = new X509Certificate(d0.certPem);
  const ca = new X509Certificate(world.pki.deviceCa.certPem);
  const root = new X509Certificate(world.pki.root.certPem);
  const msg = Buffer.alloc(400, 7);
  const pss = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } as const;
  const sig = sign('sha256', msg, { key: createPrivateKey(d0.keyPem), ...pss });
  const a0 = opsPerSecond(() => {
    verify('sha256', msg, { key: leaf.publicKey, ...pss }, sig);
    leaf.verify(ca.publicKey);
    ca.verify(root.publicKey);
    sign('sha256', msg, { key: laKey, ...pss });
  }, t.ceilingMs);
  log(
    `invalidation ceiling a: open+verify+confirm ${aBefore.opsPerSec.toFixed(0)}/s (raw RSA ${a0.opsPerSec.toFixed(0)}/s)`,
  );

  // Enough documents for warm-up + window at the crypto ceiling (the server cannot go faster), +40% for noise in that measurement.
  const lanes = world.invalidationDevices.length;
  const perLane = Math.min(
    400,
    Math.max(20, Math.ceil((aBefore.opsPerSec * (t.warmupMs + t.durationMs) * 1.4) / 1000 / lanes)),
  );
  const started = performance.now();
  const serials = await world.withCore(async (core) => {
    const actor = await actAs(core, world.companyId);
    await operatorCredit(core, world.companyId, 'DEFAULT', PBX, lanes * perLane, 'bench-invalidation');
    const out: string[][] = [];
    for (const d of world.invalidationDevices) {
      const list: string[] = [];
      for (let k = 0; k < perLane; k++)
        list.push(
          (
            await bindFromBalance(core, actor, {
              projectId: world.projectId,
              hardwareId: d.hardwareId,
              licenseType: PBX,
              units: 1,
            })
          ).serial,
        );
      out.push(list);
    }
    return out;
  });
  const laneItems: LaneItem[][] = world.invalidationDevices.map((d, i) =>
    serials[i]!.map((serial, k) => ({ token: d.token, body: invalidationDoc(d, k + 1, [serial]) })),
  );
  log(
    `bound ${lanes * perLane} licenses and signed ${lanes * perLane} invalidation documents in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const ours = await runLoad({
    origin: `https://localhost:${bridgePort}/`,
    caFile: `${world.pki.dir}/root-ca.pem`,
    method: 'POST',
    path: '/device/v1/invalidations',
    contentType: 'application/xml',
    lanes: laneItems,
    connections: lanes,
    warmupMs: t.warmupMs,
    durationMs: t.durationMs,
    expectBodyIncludes: 'kind="confirmation"',
    connectPath: '/healthz',
    ...(world.bridgePid ? { serverPid: world.bridgePid } : {}),
  });
  log(
    `invalidation: ${ours.rps.toFixed(0)} req/s, p50 ${ours.latency.p50.toFixed(1)} ms, p99 ${ours.latency.p99.toFixed(1)} ms, errors ${ours.errors}, lanes exhausted ${ours.exhaustedLanes} (${fmtLoadCpu(ours)})`,
  );

  // The ceiling again after the load; the better of the two counts (see download.ts).
  const aAfter = ceilingLoop();
  const a = aAfter.opsPerSec > aBefore.opsPerSec ? aAfter : aBefore;
  log(`invalidation ceiling a again: ${aAfter.opsPerSec.toFixed(0)}/s`);

  // Each accepted document returned exactly one license to the free pool.
  const check = await world.withCore(async (core) => {
    const inv = await core.store.db
      .selectFrom('invalidations')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    const free = await core.store.db
      .selectFrom('licenses')
      .select(sql<number>`count(*)`.as('n'))
      .where('state', '=', 'free')
      .executeTakeFirstOrThrow();
    return { invalidations: Number(inv.n), freeLicenses: Number(free.n) };
  });

  const figures: Figure[] = [
    ...httpsFigures('invalidation', 2, 'Invalidation upload (1 serial)', ours, a.opsPerSec, ceilingB, {
      ...t,
      connections: lanes,
    }),
    {
      id: 'invalidation.ceiling.a',
      item: 2,
      measurement: 'ceiling a: open+chain+confirm loop, 1 core',
      value: a.opsPerSec,
      unit: 'docs/s',
      status: 'info',
      detail: { before: aBefore, after: aAfter },
    },
    {
      id: 'invalidation.ceiling.a0',
      item: 2,
      measurement: 'a0: 3 RSA verify + 1 sign only, keys preloaded',
      value: a0.opsPerSec,
      unit: 'docs/s',
      ratio: ours.rps / a0.opsPerSec,
      status: 'info',
      detail: { ops: a0.ops, ms: a0.ms },
    },
  ];
  const rate = figures[0]!;
  rate.detail = {
    ...rate.detail,
    documentsPrepared: lanes * perLane,
    ceilingB: 'the trivial route of item 1',
    ledgerCheck: check,
  };
  if (check.invalidations !== check.freeLicenses) rate.status = 'short';
  return { figures };
}
