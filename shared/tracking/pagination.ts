export type Pagination = { total: number; per_page: number; current_page: number; last_page: number };

/** One page of `items` (pages count from 1), and where it sits; a page past the end is empty. */
export function paginate<T>(items: readonly T[], page: number, perPage: number): { items: T[]; pagination: Pagination } {
  const offset = (page - 1) * perPage;
  return {
    items: items.slice(offset, offset + perPage),
    pagination: { total: items.length, per_page: perPage, current_page: page, last_page: Math.max(1, Math.ceil(items.length / perPage)) },
  };
}
