// autocannon ships no types; the benchmark uses a small part of its API.
declare module 'autocannon' {
  const autocannon: (options: Record<string, unknown>) => Promise<{
    requests: { total: number; average: number };
    latency: { p50: number; p99: number };
    errors: number;
    timeouts: number;
  }>;
  export default autocannon;
}
