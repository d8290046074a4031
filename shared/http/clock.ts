/** Where the HTTP layer reads the time: once per request, so that a test can fix it. */
export type Clock = { now: () => Date };

export const systemClock: Clock = { now: () => new Date() };
