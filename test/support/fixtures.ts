import type { Seed } from '../../admin/seed.ts';

/** Users of the test workspaces, by what they are. */
export const users = {
  owner: 100,
  member: 101,
  executive: 102,
  teamManager: 103,
  viewer: 104,
  inactive: 105,
  otherMember: 106,
  otherWorkspaceOwner: 200,
  stranger: 999,
} as const;

export const WS = 1;
export const OTHER_WS = 2;
export const UNKNOWN_WS = 77;

export const testSeed: Seed = {
  workspaces: [
    { id: WS, name: 'Acme' },
    { id: OTHER_WS, name: 'Globex' },
  ],
  members: [
    { workspace_id: WS, user_id: users.owner, role: 'owner', status: 'active' },
    { workspace_id: WS, user_id: users.member, role: 'regular_user', status: 'active' },
    { workspace_id: WS, user_id: users.executive, role: 'executive_manager', status: 'active' },
    { workspace_id: WS, user_id: users.teamManager, role: 'team_manager', status: 'active' },
    { workspace_id: WS, user_id: users.viewer, role: 'project_viewer', status: 'active' },
    { workspace_id: WS, user_id: users.inactive, role: 'owner', status: 'inactive' },
    { workspace_id: WS, user_id: users.otherMember, role: 'regular_user', status: 'active' },
    { workspace_id: OTHER_WS, user_id: users.otherWorkspaceOwner, role: 'owner', status: 'active' },
    { workspace_id: OTHER_WS, user_id: users.member, role: 'regular_user', status: 'active' },
  ],
  projects: [
    { workspace_id: WS, id: 10, name: 'Website' },
    { workspace_id: WS, id: 11, name: 'Mobile app' },
    { workspace_id: OTHER_WS, id: 12, name: 'Globex site' },
  ],
  contracts: [
    { workspace_id: WS, id: 20, user_id: users.member, project_id: 10, status: 'active' },
    { workspace_id: WS, id: 21, user_id: users.member, project_id: 10, status: 'paused' },
    { workspace_id: WS, id: 22, user_id: users.otherMember, project_id: 10, status: 'active' },
    { workspace_id: WS, id: 23, user_id: users.viewer, project_id: 10, status: 'active' },
    { workspace_id: OTHER_WS, id: 30, user_id: users.member, project_id: 12, status: 'active' },
  ],
  tasks: [
    { workspace_id: WS, id: 5, project_id: 10, title: 'Landing page' },
    { workspace_id: WS, id: 6, project_id: 11, title: 'Login screen' },
    { workspace_id: OTHER_WS, id: 7, project_id: 12, title: 'Globex task' },
  ],
};
