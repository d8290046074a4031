import * as validators from '../../shared/contracts/generated/validators/listApiKeys.js';
import { listPersonalAccessTokens, API_KEY_STORE_ACCESS } from '../../shared/auth/personal-access-tokens.ts';
import { routes } from '../../shared/contracts/routes.ts';
import { apiKeyView } from '../../shared/contracts/views.ts';
import { apiKeyStore, handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { admittedFirst } from '../../shared/http/rate-limit.ts';
import { paginate } from '../../shared/tracking/pagination.ts';

/** GET /api-keys */
export const handler = createHttpHandler(routes.listApiKeys, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, admitted }) => {
    // Its read alongside the rate limit's admission, as every route's: over the limit, nothing is answered.
    const keys = await listPersonalAccessTokens(principal.userId, { store: admittedFirst(apiKeyStore, API_KEY_STORE_ACCESS, admitted) });
    const { items, pagination } = paginate(keys, input.page ?? 1, input.per_page ?? 20);
    return { data: items.map(apiKeyView), meta: { pagination } };
  },
});
