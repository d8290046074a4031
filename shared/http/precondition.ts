/**
 * `If-Match` as the use cases take it: `"<version>"` → that version, `*` → any, absent → no
 * precondition. The route's header schema has already refused any other shape (422).
 */
export function preconditionOf(ifMatch: string | undefined): { ifMatch?: number | '*' } {
  if (ifMatch === undefined) return {};
  return { ifMatch: ifMatch === '*' ? '*' : Number(ifMatch.slice(1, -1)) };
}
