import { createHash, randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { startAwsJsonEndpoint } from '../aws-json-endpoint.ts';
import { allows, type PolicyStatement } from '../iam/policy-decision.ts';

/**
 * One SQS queue of the template for `npm run start:template`: what the AWS SDK sends
 * (`SendMessage`, `SendMessageBatch`, `ChangeMessageVisibility`, JSON protocol) through one
 * endpoint per function, each enforcing that function's role (`sqs:SendMessage`,
 * `sqs:ChangeMessageVisibility` on the queue; anything else is refused); and the queue's
 * event source mapping: batches of visible messages to the consuming function, at most
 * `maximumConcurrency` at once, a message hidden for the visibility timeout while it is
 * processed (or for what the function set), deleted unless reported as failed, and moved to
 * the dead-letter queue (logged) once it has been received `maxReceiveCount` times. The
 * delays the consumer sets (ChangeMessageVisibility: the retry schedule) are multiplied by
 * `timeScale` (WEBHOOK_RETRY_SCALE), as in `npm start`; the visibility timeout of a message
 * being processed is not (it guards a run that takes real time).
 *
 * Fair by message group, as an SQS fair queue (a standard queue whose messages carry a
 * `MessageGroupId`): of the visible messages, those of the group with the fewest in flight go
 * first, then the oldest. SQS prefers quiet tenants once it detects a noisy one; this serves
 * groups in turn always, which is the same order under a backlog and close enough without.
 */
/** A queue as its event source mapping and its senders see it (a queue of the template, or the one `npm start` declares). */
export type QueueSettings = { logicalId: string; visibilityTimeoutSeconds: number; maxReceiveCount: number | undefined };

type Message = { id: string; body: string; group: string; sentAt: number; receiveCount: number; visibleAt: number; receiptHandle?: string };

const ACCOUNT = '000000000000';
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

export async function startLocalQueue(queue: QueueSettings, options: { timeScale: number; region: string; log: (line: string) => void }) {
  const messages = new Map<string, Message>();
  const arn = `arn:aws:sqs:${options.region}:${ACCOUNT}:${queue.logicalId}`;
  const fronts: Array<{ stop: () => Promise<void> }> = [];
  let poller: NodeJS.Timeout | undefined;
  let stopped = false;

  /** Messages in flight, by group: what the fair order balances. */
  const inFlightByGroup = new Map<string, number>();
  const send = (body: string, groupId?: string) => {
    const id = randomUUID();
    // A message without a group is a tenant of its own, as SQS treats it.
    messages.set(id, { id, body, group: groupId ?? `message:${id}`, sentAt: Date.now(), receiveCount: 0, visibleAt: Date.now() });
    return { MessageId: id, MD5OfMessageBody: md5(body) };
  };
  /** Up to `size` of the visible messages, a group at a time: the group with the fewest in flight (counting those picked) first, the oldest message first within it. */
  const fairBatch = (visible: Message[], size: number) => {
    const byGroup = new Map<string, Message[]>();
    for (const message of [...visible].sort((a, b) => a.sentAt - b.sentAt)) byGroup.set(message.group, [...(byGroup.get(message.group) ?? []), message]);
    const load = new Map([...byGroup.keys()].map((group) => [group, inFlightByGroup.get(group) ?? 0]));
    const batch: Message[] = [];
    while (batch.length < size && byGroup.size > 0) {
      const [group, waiting] = [...byGroup].sort(([a, first], [b, second]) => load.get(a)! - load.get(b)! || first[0]!.sentAt - second[0]!.sentAt)[0]!;
      batch.push(waiting.shift()!);
      load.set(group, load.get(group)! + 1);
      if (waiting.length === 0) byGroup.delete(group);
    }
    return batch;
  };
  const byReceipt = (receiptHandle: string) => [...messages.values()].find((message) => message.receiptHandle === receiptHandle);

  /** The actions one request needs, as IAM names them; undefined for anything this queue does not serve. */
  const actionOf = (operation: string) => ({ SendMessage: 'sqs:SendMessage', SendMessageBatch: 'sqs:SendMessage', ChangeMessageVisibility: 'sqs:ChangeMessageVisibility' })[operation];

  function handle(operation: string, body: Record<string, any>) {
    switch (operation) {
      case 'SendMessage':
        return send(String(body.MessageBody), body.MessageGroupId);
      case 'SendMessageBatch':
        return {
          Successful: (body.Entries as Array<{ Id: string; MessageBody: string; MessageGroupId?: string }>).map((entry) => ({ Id: entry.Id, ...send(entry.MessageBody, entry.MessageGroupId) })),
          Failed: [],
        };
      case 'ChangeMessageVisibility': {
        const message = byReceipt(String(body.ReceiptHandle));
        if (message) message.visibleAt = Date.now() + Number(body.VisibilityTimeout) * 1000 * options.timeScale;
        return {};
      }
    }
    return undefined;
  }

  /** An endpoint of the queue for one function, with that function's permissions. */
  async function endpointFor(functionName: string, statements: PolicyStatement[]) {
    const front = await startAwsJsonEndpoint({
      targetPrefix: 'AmazonSQS.',
      contentType: 'application/x-amz-json-1.0',
      answer: (operation, parsed) => {
        const action = actionOf(operation);
        // Fail closed: what cannot be read or is not allowed is refused, as IAM would.
        if (!action || !parsed || !allows(statements, action, queue.logicalId, arn)) {
          return {
            status: 400,
            body: {
              __type: 'com.amazon.coral.service#AccessDeniedException',
              message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/${functionName}/local is not authorized to perform: ${action ?? operation} on resource: ${arn}`,
            },
          };
        }
        return { status: 200, body: handle(operation, parsed) };
      },
    });
    fronts.push(front);
    return { endpoint: front.endpoint, queueUrl: `${front.endpoint}/${ACCOUNT}/${queue.logicalId}` };
  }

  /** Delivers batches to `invoke` as the queue's event source mapping does, until stopped. */
  function consume(options_: { batchSize: number; maximumConcurrency: number; reportBatchItemFailures: boolean; invoke: (event: SQSEvent) => Promise<unknown> }) {
    let inFlight = 0;
    const tick = () => {
      if (stopped) return;
      while (inFlight < options_.maximumConcurrency) {
        const now = Date.now();
        const visible = [...messages.values()].filter((message) => message.visibleAt <= now);
        for (const message of visible.filter((candidate) => queue.maxReceiveCount !== undefined && candidate.receiveCount >= queue.maxReceiveCount)) {
          messages.delete(message.id);
          options.log(`queue ${queue.logicalId}: message ${message.id} moved to the dead-letter queue after ${message.receiveCount} receives`);
        }
        const batch = fairBatch(
          visible.filter((message) => messages.has(message.id)),
          options_.batchSize,
        );
        if (batch.length === 0) break;
        for (const message of batch) inFlightByGroup.set(message.group, (inFlightByGroup.get(message.group) ?? 0) + 1);
        const records = batch.map((message): SQSRecord => {
          message.receiveCount++;
          message.receiptHandle = randomUUID();
          // In real time, unscaled: it guards the consumer's run, which no scale makes shorter. Scaled (to 0.6 s at the
          // tests' 1/100), a delivery that took longer on a loaded machine was received and sent a second time.
          message.visibleAt = now + queue.visibilityTimeoutSeconds * 1000;
          return {
            messageId: message.id,
            receiptHandle: message.receiptHandle,
            body: message.body,
            attributes: { ApproximateReceiveCount: String(message.receiveCount), SentTimestamp: String(message.sentAt), SenderId: ACCOUNT, ApproximateFirstReceiveTimestamp: String(now) },
            messageAttributes: {},
            md5OfBody: md5(message.body),
            eventSource: 'aws:sqs',
            eventSourceARN: arn,
            awsRegion: options.region,
          };
        });
        inFlight++;
        void options_
          .invoke({ Records: records })
          .then((result) => {
            const failed = new Set(options_.reportBatchItemFailures ? ((result as SQSBatchResponse | undefined)?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier) : []);
            for (const record of records) if (!failed.has(record.messageId)) messages.delete(record.messageId);
          })
          // The invocation failed as a whole: every message of the batch is received again.
          .catch((error: Error) => options.log(`queue ${queue.logicalId}: the consumer failed (${error.message}); the batch stays on the queue`))
          .finally(() => {
            inFlight--;
            for (const message of batch) inFlightByGroup.set(message.group, inFlightByGroup.get(message.group)! - 1);
          });
      }
      poller = setTimeout(tick, 25);
    };
    tick();
  }

  return {
    arn,
    endpointFor,
    consume,
    /** Messages waiting or in flight (tests). */
    depth: () => messages.size,
    stop: async () => {
      stopped = true;
      clearTimeout(poller);
      for (const front of fronts) await front.stop();
    },
  };
}
