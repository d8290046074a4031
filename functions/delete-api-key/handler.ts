import * as validators from '../../shared/contracts/generated/validators/deleteApiKey.js';
import { assertMayRevoke, revokePersonalAccessToken, API_KEY_STORE_ACCESS } from '../../shared/auth/personal-access-tokens.ts';
import { routes } from '../../shared/contracts/routes.ts';
import { apiKeyStore, handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { admittedFirst } from '../../shared/http/rate-limit.ts';

/** DELETE /api-keys/{id} */
export const handler = createHttpHandler(routes.deleteApiKey, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, now, admitted }) => {
    assertMayRevoke(principal, input.id);
    const revoked = await revokePersonalAccessToken(principal.userId, input.id, { store: admittedFirst(apiKeyStore, API_KEY_STORE_ACCESS, admitted), now });
    return { data: { id: revoked.keyId, revoked: true as const } };
  },
});
