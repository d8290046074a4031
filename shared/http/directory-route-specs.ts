// biome-ignore-all lint/suspicious/noExplicitAny: one spec serves the PUT (or list) of every directory kind, whose inputs share these fields; each route's own validator has checked them.
import type { RouteName } from '../contracts/routes.ts';
import { admittedFirst } from './rate-limit.ts';
import { DIRECTORY_REPOSITORY_ACCESS } from '../tracking/directory.ts';
import { preconditionOf } from './precondition.ts';
import type { HandlerAdapters, HttpRouteSpec, RouteValidators } from './create-http-handler.ts';
import { listDirectory, putDirectoryRecord, type DirectoryFields, type DirectoryKind, type DirectoryPut, type DirectoryRecord, type DirectoryRepository } from '../tracking/directory.ts';

/**
 * The directory routes' wiring, the same for every kind of record: the entry files
 * (functions/put-*, functions/list-*) name the kind, its id and fields, and its view. The
 * directory repository's writes wait for the rate limit's admission, as the tracking
 * repository's do.
 */
type Ports = { adapters: HandlerAdapters; validators: RouteValidators; directory: DirectoryRepository };

export function putRecordSpec<N extends RouteName>(
  kind: DirectoryKind,
  ports: Ports,
  record: {
    idOf: (input: any) => number;
    fieldsOf: (input: any) => DirectoryFields;
    ownerOf?: (input: any) => number | undefined;
    rateOf?: (input: any) => DirectoryPut['rate'];
    view: (record: DirectoryRecord) => unknown;
  },
): HttpRouteSpec<N> {
  return {
    adapters: ports.adapters,
    validators: ports.validators,
    run: async (input: any, { principal, now, headers, admitted }) => {
      const stored = await putDirectoryRecord(
        { userId: principal.userId, scopes: principal.scopes },
        {
          kind,
          workspaceId: input.workspace_id,
          id: record.idOf(input),
          fields: record.fieldsOf(input),
          version: input.version,
          ...preconditionOf((headers as Record<string, string | undefined>)['if-match']),
          ownerUserId: record.ownerOf?.(input),
          rate: record.rateOf?.(input),
        },
        { repository: admittedFirst(ports.directory, DIRECTORY_REPOSITORY_ACCESS, admitted), now },
      );
      return { data: record.view(stored), headers: { etag: `"${stored.revision}"` } } as never;
    },
  };
}

export function listRecordsSpec<N extends RouteName>(kind: Exclude<DirectoryKind, 'workspace'>, ports: Ports, view: (record: DirectoryRecord) => unknown): HttpRouteSpec<N> {
  return {
    adapters: ports.adapters,
    validators: ports.validators,
    run: async (input: any, { principal, admitted }) => {
      const perPage = input.per_page ?? 20;
      const page = await listDirectory(
        { userId: principal.userId, scopes: principal.scopes },
        { workspaceId: input.workspace_id, kind, cursor: input.cursor, perPage },
        // Its reads alongside the rate limit's admission, as every route's: over the limit, nothing is answered.
        { repository: admittedFirst(ports.directory, DIRECTORY_REPOSITORY_ACCESS, admitted) },
      );
      return { data: page.records.map(view), meta: { pagination: { per_page: perPage, next_cursor: page.nextCursor, has_more: page.nextCursor !== null } } } as never;
    },
  };
}
