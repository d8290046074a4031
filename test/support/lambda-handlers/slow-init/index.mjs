// A module whose init never ends in time (a connection at load that hangs, say).
await new Promise((resolve) => setTimeout(resolve, 30_000));
export const handler = async () => ({});
