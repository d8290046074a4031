/**
 * How the table's stream and the webhook delivery queue invoke their functions. The stack
 * builds its event source mappings from these and `npm start` runs the same ones on this
 * machine (local/lambda/event-source-mappings.ts); template mode reads them back from the
 * synthesized template. Which records each stream function receives is its filter (the
 * event registry's patterns, the auto-stop schedules' patterns).
 */

/** The table's stream to a function: in order, failed records reported one by one and retried, then kept in the function's failure queue. */
export const TABLE_STREAM_SOURCE = { batchSize: 100, bisectBatchOnError: true, reportBatchItemFailures: true, retryAttempts: 10 } as const;

/** The delivery queue to the delivery function: only the records to retry are reported (partial batch response). */
export const DELIVERY_QUEUE_SOURCE = { batchSize: 10, reportBatchItemFailures: true } as const;

/** Delivery invocations at once (the delivery function's reserved concurrency) unless the stack is told otherwise (`webhookDeliveryConcurrency`). */
export const DEFAULT_DELIVERY_CONCURRENCY = 5;

/** The export queue to the export worker: one job an invocation (a job holds it for as long as its file takes). */
export const EXPORT_QUEUE_SOURCE = { batchSize: 1, reportBatchItemFailures: true } as const;

/** The export worker's timeout: Lambda's longest, for the largest files (docs/exports.md). */
export const EXPORT_WORKER_TIMEOUT_SECONDS = 900;

/** Receives of one export job before the queue moves it to its dead-letter queue (a job whose end could not be recorded three times). */
export const EXPORT_MAX_RECEIVES = 3;
