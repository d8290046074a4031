import * as validators from '../../shared/contracts/generated/validators/createApiKey.js';
import { generateApiKey } from '../../shared/auth/api-keys.ts';
import { assertMayReplayCreation, createPersonalAccessToken, API_KEY_STORE_ACCESS } from '../../shared/auth/personal-access-tokens.ts';
import { loadApiKeyConfig } from '../../shared/config/api-key-config.ts';
import { routes } from '../../shared/contracts/routes.ts';
import { apiKeyView } from '../../shared/contracts/views.ts';
import { apiKeyStore, handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { admittedFirst } from '../../shared/http/rate-limit.ts';
import { redactedAnswer } from '../../shared/http/redacted-answer.ts';

const { maxLifetimeDays } = loadApiKeyConfig();

/** POST /api-keys */
export const handler = createHttpHandler(routes.createApiKey, {
  adapters: handlerAdapters,
  validators,
  // A replay answers what was made, without the key: the credential replaying must be one that may make it now.
  assertMayReplay: async (input, principal) => assertMayReplayCreation(principal, input.scopes),
  sealStoredAnswers: redactedAnswer(['key']),
  run: async (input, { principal, now, admitted }) => {
    const { key, record } = await createPersonalAccessToken(
      { userId: principal.userId, scopes: principal.scopes },
      { name: input.name, scopes: input.scopes, expiresAt: input.expires_at },
      { store: admittedFirst(apiKeyStore, API_KEY_STORE_ACCESS, admitted), now, generate: generateApiKey, policy: { authMethod: principal.authMethod, maxLifetimeDays } },
    );
    return { data: { ...apiKeyView(record), key } };
  },
});
