import * as validators from '../../shared/contracts/generated/validators/putContract.js';
import { routes } from '../../shared/contracts/routes.ts';
import { contractView } from '../../shared/contracts/views.ts';
import { directoryRepository, handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { putRecordSpec } from '../../shared/http/directory-route-specs.ts';
import { assertKnownCurrency } from '../../shared/tracking/currencies.ts';
import type { Money } from '../../shared/tracking/money.ts';

function knownCurrency(rate: Money | null) {
  assertKnownCurrency(rate);
  return rate;
}

/** PUT /workspaces/{workspace_id}/contracts/{contract_id} */
export const handler = createHttpHandler(
  routes.putContract,
  putRecordSpec<'putContract'>(
    'contract',
    { adapters: handlerAdapters, validators, directory: directoryRepository },
    {
      idOf: (input) => input.contract_id,
      fieldsOf: (input) => ({ user_id: input.user_id, project_id: input.project_id, status: input.status, billable: input.billable ?? (input.hourly_rate ?? null) !== null }),
      // An ISO 4217 currency, as the schema checks the rest of the field (check 4): only this function bundles the currency list.
      rateOf: (input) => ({ hourlyRate: knownCurrency(input.hourly_rate ?? null), ...(input.rate_effective_from === undefined ? {} : { effectiveFrom: input.rate_effective_from }) }),
      view: contractView,
    },
  ),
);
