/** CloudWatch embedded metric format documents, as a function writes them to its output. */
export type Emf = { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> }; [key: string]: unknown };

/** Runs `action` and returns the EMF documents written to stdout meanwhile. */
export async function emitted(action: () => Promise<unknown>): Promise<Emf[]> {
  const lines: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await action().catch(() => {});
  } finally {
    process.stdout.write = write;
  }
  return lines
    .flatMap((line) => line.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Emf);
}

/** The value of `metric` per dimension set, as CloudWatch would index it. */
export function series(documents: Emf[], metric: string) {
  return documents.flatMap((document) =>
    document._aws.CloudWatchMetrics.filter((directive) => directive.Metrics.some((entry) => entry.Name === metric)).flatMap((directive) =>
      directive.Dimensions.map((set) => ({ namespace: directive.Namespace, dimensions: Object.fromEntries(set.map((name) => [name, document[name]])), value: document[metric] })),
    ),
  );
}
