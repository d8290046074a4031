import * as validators from '../../shared/contracts/generated/validators/createApiKey.js';
import { generateApiKey } from '../../shared/auth/api-keys.ts';
import { createPersonalAccessToken } from '../../shared/auth/personal-access-tokens.ts';
import { routes } from '../../shared/contracts/routes.ts';
import { apiKeyView } from '../../shared/contracts/views.ts';
import { apiKeyStore, handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { admittedFirst, API_KEY_STORE_KINDS } from '../../shared/http/rate-limit.ts';

/** POST /api-keys */
export const handler = createHttpHandler(routes.createApiKey, {
  adapters: handlerAdapters,
  validators,
  // A replay answers the key it created to the one who created it: the Idempotency-Key is the caller's own.
  assertMayReplay: async () => {},
  run: async (input, { principal, now, admitted }) => {
    const { key, record } = await createPersonalAccessToken(
      { userId: principal.userId, scopes: principal.scopes },
      { name: input.name, scopes: input.scopes, expiresAt: input.expires_at ?? null },
      { store: admittedFirst(apiKeyStore, API_KEY_STORE_KINDS, admitted), now, generate: generateApiKey },
    );
    return { data: { ...apiKeyView(record), key } };
  },
});
