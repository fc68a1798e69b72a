import * as z from 'zod';
import { MylicError } from '../../../protocol/errors.js';
import type { Core } from '../../core/context.js';
import { acceptInvalidation, confirmationFor } from '../../core/licenses/index.js';
import { xmlBody, xmlResponse } from '../body.js';
import type { ApiRouter } from './router.js';

/** Seed: Devices → Licenses → Upload the invalidation document; Download confirmation file. */
export function invalidationRoutes(api: ApiRouter, core: Core) {
  api.route(
    {
      method: 'post',
      path: '/invalidations',
      tag: 'Devices',
      summary:
        'Upload an invalidation document (device backup file); answers the confirmation file to upload on the device',
      auth: 'user',
      consumes: 'application/xml',
      produces: 'application/xml',
    },
    async ({ c, actor }) => {
      const result = await acceptInvalidation(core, actor, await xmlBody(c));
      c.header('x-mylic-replay', result.replay ? '1' : '0');
      c.header('x-mylic-document-id', result.confirmation.documentId);
      return xmlResponse(c, result.confirmationXml, `confirmation-${result.confirmation.documentId}.xml`);
    },
  );
  api.route(
    {
      method: 'get',
      path: '/invalidations/:documentId/confirmation',
      tag: 'Devices',
      summary: 'Download the confirmation file of an invalidation again',
      auth: 'user',
      params: z.object({ documentId: z.string().max(100) }),
      produces: 'application/xml',
    },
    async ({ c, actor, params }) => {
      // A malformed id answers exactly like an unknown one: nothing to learn from the difference.
      const id = z.uuid().safeParse(params.documentId);
      if (!id.success) throw new MylicError('CONFIRMATION_NOT_FOUND');
      return xmlResponse(c, await confirmationFor(core, actor, id.data), `confirmation-${id.data}.xml`);
    },
  );
}
