import { randomBytes } from 'node:crypto';
import * as validators from '../../shared/contracts/generated/validators/createInvitation.js';
import { routes } from '../../shared/contracts/routes.ts';
import { invitationView } from '../../shared/contracts/views.ts';
import { directoryRepository, handlerAdapters, invitationRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { admittedFirst } from '../../shared/http/rate-limit.ts';
import { DIRECTORY_REPOSITORY_ACCESS } from '../../shared/tracking/directory.ts';
import { INVITATION_REPOSITORY_ACCESS, inviteMember } from '../../shared/tracking/invitations.ts';

/** POST /workspaces/{workspace_id}/invitations */
export const handler = createHttpHandler(routes.createInvitation, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, now, admitted }) => {
    const invitation = await inviteMember(
      { userId: principal.userId, scopes: principal.scopes },
      { workspaceId: input.workspace_id, userId: input.user_id, role: input.role },
      {
        directory: admittedFirst(directoryRepository, DIRECTORY_REPOSITORY_ACCESS, admitted),
        invitations: admittedFirst(invitationRepository, INVITATION_REPOSITORY_ACCESS, admitted),
        now,
        newId: () => `inv_${randomBytes(16).toString('base64url').slice(0, 22)}`,
      },
    );
    return { data: invitationView(invitation, now) };
  },
});
