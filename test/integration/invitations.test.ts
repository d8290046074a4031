import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDirectoryRepository } from '../../shared/db/directory-repository.ts';
import { createInvitationRepository } from '../../shared/db/invitation-repository.ts';
import { AlreadyMemberError, DependencyUnavailableError, InvitationNotPendingError } from '../../shared/errors.ts';
import { acceptInvitation, declineInvitation, INVITATION_LIFETIME_DAYS, inviteMember, listInvitations, statusOf } from '../../shared/tracking/invitations.ts';
import { putDirectoryRecord } from '../../shared/tracking/directory.ts';
import { keys } from '../../shared/db/keys.ts';
import { ValidationError } from '../../shared/errors.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { testSeed, users, WS } from '../support/fixtures.ts';

/**
 * Invitations against DynamoDB Local with an injected clock: what HTTP cannot wait for
 * (14 days) and what it cannot time (two accepts at once, the sync job racing an accept).
 */
let table: TestTable;
let deps: { directory: ReturnType<typeof createDirectoryRepository>; invitations: ReturnType<typeof createInvitationRepository> };
const owner = { userId: users.owner, scopes: new Set(['write']) };
/** A 503 is transient and safe to retry, as a client would: on two loaded cores DynamoDB Local can pass the SDK's timeouts. */
async function definite<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof DependencyUnavailableError) || tries === 3) throw error;
    }
  }
}
// Ahead of the real clock: DynamoDB Local deletes items whose `ttl` (an invitation's: 30 days after it expires) is past by
// the machine's time, at moments of its own, so a clock in the past would see copies vanish in the middle of a test.
const t0 = new Date(Math.ceil(Date.now() / 86_400_000 + 365) * 86_400_000 + 9 * 3_600_000);
const daysLater = (days: number) => new Date(t0.getTime() + days * 86_400_000);
let ids = 0;
const invite = (userId: number, now = t0) => inviteMember(owner, { workspaceId: WS, userId, role: 'regular_user' }, { ...deps, now, newId: () => `inv_test${String(++ids).padStart(18, '0')}` });

beforeAll(async () => {
  table = await createTestTable('invitations');
  await table.seed(testSeed);
  deps = { directory: createDirectoryRepository(table.client, table.tableName), invitations: createInvitationRepository(table.client, table.tableName) };
});
afterAll(() => table.drop());

describe('invitations', () => {
  it('cannot be accepted once expired, shows expired, and may then be sent again', async () => {
    const first = await invite(700);
    const expired = daysLater(INVITATION_LIFETIME_DAYS);
    await expect(definite(() => acceptInvitation(700, first.id, { invitations: deps.invitations, now: expired }))).rejects.toBeInstanceOf(InvitationNotPendingError);
    expect(await listInvitations({ userId: 700, scopes: new Set(['read']) }, {}, { ...deps, now: expired })).toEqual([]);
    const listed = await listInvitations(owner, { workspaceId: WS }, { ...deps, now: expired });
    expect(listed.filter((invitation) => invitation.userId === 700).map((invitation) => statusOf(invitation, expired))).toEqual(['expired']);
    // A second one replaces it; the first stays unusable.
    const second = await invite(700, expired);
    await expect(definite(() => acceptInvitation(700, first.id, { invitations: deps.invitations, now: expired }))).rejects.toBeInstanceOf(InvitationNotPendingError);
    expect((await definite(() => acceptInvitation(700, second.id, { invitations: deps.invitations, now: expired }))).status).toBe('accepted');
    expect(await table.get({ pk: `WS#${WS}`, sk: 'MEMBER#700' })).toMatchObject({ role: 'regular_user', status: 'active' });
  });

  it('is accepted once of three accepts at once, and every one of them answers it accepted (a retry is safe)', async () => {
    const invitation = await invite(701);
    const outcomes = await Promise.all([1, 2, 3].map(() => definite(() => acceptInvitation(701, invitation.id, { invitations: deps.invitations, now: daysLater(1) }))));
    expect(new Set(outcomes.map((outcome) => `${outcome.status} ${outcome.decidedAt}`)).size).toBe(1);
    expect(outcomes[0]!.status).toBe('accepted');
    // One membership, one audit entry: the losers wrote nothing.
    expect((await table.scan()).filter((item) => item.pk === `WS#${WS}#MEMBER#701`)).toHaveLength(1);
    await expect(definite(() => declineInvitation(701, invitation.id, { invitations: deps.invitations, now: daysLater(1) }))).rejects.toBeInstanceOf(InvitationNotPendingError);
  });

  it('never overwrites a membership the sync job made meanwhile: already_member, the invitation left pending', async () => {
    const invitation = await invite(702);
    await putDirectoryRecord(
      { userId: 900, scopes: new Set(['directory']) },
      { kind: 'member', workspaceId: WS, id: 702, fields: { role: 'owner', status: 'active', name: null, email: null } },
      { repository: deps.directory, now: daysLater(1) },
    );
    await expect(definite(() => acceptInvitation(702, invitation.id, { invitations: deps.invitations, now: daysLater(1) }))).rejects.toBeInstanceOf(AlreadyMemberError);
    expect(await table.get({ pk: `WS#${WS}`, sk: 'MEMBER#702' })).toMatchObject({ role: 'owner' });
  });

  it('that makes an owner counts them in the owners set the last-owner rule reads, from a workspace made through the API on', async () => {
    const NEW_WS = 30;
    const platform = { userId: 900, scopes: new Set(['directory']) };
    await putDirectoryRecord(platform, { kind: 'workspace', workspaceId: NEW_WS, id: NEW_WS, fields: { name: 'New' }, ownerUserId: 800 }, { repository: deps.directory, now: t0 });
    expect(await table.get(keys.workspaceOwners(NEW_WS))).toMatchObject({ complete: true, user_ids: new Set([800]) });
    const founder = { userId: 800, scopes: new Set(['write']) };
    const invitation = await inviteMember(founder, { workspaceId: NEW_WS, userId: 801, role: 'owner' }, { ...deps, now: t0, newId: () => 'inv_owner00000000000000001' });
    await definite(() => acceptInvitation(801, invitation.id, { invitations: deps.invitations, now: daysLater(1) }));
    expect(await table.get(keys.workspaceOwners(NEW_WS))).toMatchObject({ user_ids: new Set([800, 801]) });
    const demote = (actor: number, userId: number) =>
      putDirectoryRecord(
        { userId: actor, scopes: new Set(['write']) },
        { kind: 'member', workspaceId: NEW_WS, id: userId, fields: { role: 'regular_user', status: 'active', name: null, email: null } },
        { repository: deps.directory, now: daysLater(2) },
      );
    await demote(800, 800);
    await expect(demote(801, 801)).rejects.toBeInstanceOf(ValidationError);
    expect(await table.get(keys.workspaceOwners(NEW_WS))).toMatchObject({ user_ids: new Set([801]) });
  });
});
