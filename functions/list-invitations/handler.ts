import * as validators from '../../shared/contracts/generated/validators/listInvitations.js';
import { routes } from '../../shared/contracts/routes.ts';
import { invitationView } from '../../shared/contracts/views.ts';
import { directoryRepository, handlerAdapters, invitationRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { admittedFirst } from '../../shared/http/rate-limit.ts';
import { DIRECTORY_REPOSITORY_ACCESS } from '../../shared/tracking/directory.ts';
import { INVITATION_REPOSITORY_ACCESS, listInvitations } from '../../shared/tracking/invitations.ts';
import { paginate } from '../../shared/tracking/pagination.ts';

/** GET /invitations */
export const handler = createHttpHandler(routes.listInvitations, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, now, admitted }) => {
    const invitations = await listInvitations(
      { userId: principal.userId, scopes: principal.scopes },
      { workspaceId: input.workspace_id },
      { directory: admittedFirst(directoryRepository, DIRECTORY_REPOSITORY_ACCESS, admitted), invitations: admittedFirst(invitationRepository, INVITATION_REPOSITORY_ACCESS, admitted), now },
    );
    const { items, pagination } = paginate(invitations, input.page ?? 1, input.per_page ?? 20);
    return { data: items.map((invitation) => invitationView(invitation, now)), meta: { pagination } };
  },
});
