import * as validators from '../../shared/contracts/generated/validators/approveTimeRequest.js';
import { routes } from '../../shared/contracts/routes.ts';
import { timeRequestView } from '../../shared/contracts/views.ts';
import { handlerAdapters, timeRequestRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { approveTimeRequest } from '../../shared/tracking/time-requests.ts';

/** POST /time-requests/{id}/approve */
export const handler = createHttpHandler(routes.approveTimeRequest, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, now, repository }) => {
    const request = await approveTimeRequest(principal.userId, { workspaceId: input.workspace_id, id: input.id }, { repository, requests: timeRequestRepository, now });
    return { data: timeRequestView(request) };
  },
});
