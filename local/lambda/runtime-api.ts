import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../listen-on-loopback.ts';

/**
 * The Lambda Runtime API (version 2018-06-01) for one execution environment, on loopback:
 * what a runtime such as `aws-lambda-ric` talks to (AWS_LAMBDA_RUNTIME_API). It hands the
 * runtime one invocation at a time (the long-polled `next`), takes its answer (`response`)
 * or its failure (`error`), and its failure to start (`init/error`). It knows nothing of
 * processes or timeouts: the function host (function-host.ts) decides those.
 */
export const RUNTIME_API_VERSION = '2018-06-01';

/** Lambda's limit on a synchronous invocation's response payload (6 MB). */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

export type Invocation = {
  requestId: string;
  /** Epoch milliseconds at which the invocation times out (Lambda-Runtime-Deadline-Ms). */
  deadlineMs: number;
  invokedFunctionArn: string;
  /** The event, as the JSON text the runtime parses. */
  payload: string;
  traceId?: string;
  clientContext?: string;
  cognitoIdentity?: string;
};

/** What the runtime answered: its result's JSON, or the error document it posted (errorType, errorMessage, trace). */
export type InvocationOutcome = { kind: 'response'; payload: string } | { kind: 'error'; errorType: string; payload: string };

/** What the runtime posted to `init/error`. */
export type InitError = { errorType: string; payload: string };

export type RuntimeApi = {
  /** host:port, the value of AWS_LAMBDA_RUNTIME_API. */
  address: string;
  /** Resolves once the runtime asks for its first invocation: the end of its init phase. */
  initialized: Promise<void>;
  /** Resolves with what the runtime posted to `init/error`, if it ever does. */
  initFailed: Promise<InitError>;
  /** Hands `invocation` to the runtime (now, or at its next `next`); resolves with its answer. One at a time. */
  invoke: (invocation: Invocation) => Promise<InvocationOutcome>;
  /** Drops the invocation in flight, if any (its deadline passed, the runtime died): a late answer to it is refused. */
  abandon: () => void;
  close: () => Promise<void>;
};

type InFlight = { invocation: Invocation; delivered: boolean; settle: (outcome: InvocationOutcome) => void };

export async function startRuntimeApi(): Promise<RuntimeApi> {
  let inFlight: InFlight | undefined;
  let waitingNext: ServerResponse | undefined;
  let markInitialized!: () => void;
  let markInitFailed!: (error: InitError) => void;
  const initialized = new Promise<void>((resolve) => (markInitialized = resolve));
  const initFailed = new Promise<InitError>((resolve) => (markInitFailed = resolve));

  const server = createServer((request, response) => void route(request, response));
  // A `next` waits as long as there is no invocation: no request or idle timeout may end it.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 0;
  server.timeout = 0;
  const base = `/${RUNTIME_API_VERSION}/runtime`;

  async function route(request: IncomingMessage, response: ServerResponse) {
    const path = (request.url ?? '').split('?')[0]!;
    if (request.method === 'GET' && path === `${base}/invocation/next`) return next(response);
    const answer = path.match(/^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/);
    if (request.method === 'POST' && answer) return postAnswer(request, response, decodeURIComponent(answer[1]!), answer[2] as 'response' | 'error');
    if (request.method === 'POST' && path === `${base}/init/error`) {
      const body = await readBody(request, MAX_RESPONSE_BYTES);
      markInitFailed({ errorType: errorTypeOf(request, body.text), payload: body.text });
      return accepted(response);
    }
    request.resume();
    return reply(response, 404, { errorType: 'NotFound', errorMessage: `no ${request.method} ${path} in the Runtime API ${RUNTIME_API_VERSION}` });
  }

  function next(response: ServerResponse) {
    markInitialized();
    waitingNext = response;
    response.once('close', () => {
      if (waitingNext === response) waitingNext = undefined;
    });
    deliver();
  }

  /** Sends the invocation in flight to the runtime's pending `next`, if both are there. */
  function deliver() {
    if (!inFlight || inFlight.delivered || !waitingNext) return;
    const { invocation } = inFlight;
    const response = waitingNext;
    waitingNext = undefined;
    inFlight.delivered = true;
    response.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': invocation.requestId,
      'lambda-runtime-deadline-ms': String(invocation.deadlineMs),
      'lambda-runtime-invoked-function-arn': invocation.invokedFunctionArn,
      ...(invocation.traceId ? { 'lambda-runtime-trace-id': invocation.traceId } : {}),
      ...(invocation.clientContext ? { 'lambda-runtime-client-context': invocation.clientContext } : {}),
      ...(invocation.cognitoIdentity ? { 'lambda-runtime-cognito-identity': invocation.cognitoIdentity } : {}),
    });
    response.end(invocation.payload);
  }

  async function postAnswer(request: IncomingMessage, response: ServerResponse, requestId: string, kind: 'response' | 'error') {
    const body = await readBody(request, MAX_RESPONSE_BYTES);
    const current = inFlight;
    if (!current?.delivered || current.invocation.requestId !== requestId) {
      return reply(response, 400, { errorType: 'InvalidRequestID', errorMessage: `no invocation ${requestId} is in flight` });
    }
    inFlight = undefined;
    if (body.tooLarge) {
      reply(response, 413, { errorType: 'RequestEntityTooLarge', errorMessage: `the response is over ${MAX_RESPONSE_BYTES} bytes` });
      return current.settle({
        kind: 'error',
        errorType: 'Function.ResponseSizeTooLarge',
        payload: JSON.stringify({ errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).` }),
      });
    }
    accepted(response);
    current.settle(kind === 'response' ? { kind, payload: body.text } : { kind, errorType: errorTypeOf(request, body.text), payload: body.text });
  }

  const listening = await listenOnLoopback(server);
  return {
    address: new URL(listening.endpoint).host,
    initialized,
    initFailed,
    invoke: (invocation) =>
      new Promise<InvocationOutcome>((resolve, reject) => {
        if (inFlight) return reject(new Error(`an invocation (${inFlight.invocation.requestId}) is already in flight in this environment`));
        inFlight = { invocation, delivered: false, settle: resolve };
        deliver();
      }),
    abandon: () => {
      inFlight = undefined;
    },
    close: listening.close,
  };
}

/** The error's type: the header the runtime sets, else the document's own errorType. */
function errorTypeOf(request: IncomingMessage, body: string): string {
  const header = request.headers['lambda-runtime-function-error-type'];
  if (typeof header === 'string' && header) return header;
  try {
    const type = (JSON.parse(body) as { errorType?: unknown }).errorType;
    if (typeof type === 'string' && type) return type;
  } catch {
    // Not JSON: the type stays unknown, as Lambda's `Unhandled`.
  }
  return 'Unhandled';
}

async function readBody(request: IncomingMessage, limit: number): Promise<{ text: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: size > limit };
}

function accepted(response: ServerResponse) {
  reply(response, 202, { status: 'OK' });
}

function reply(response: ServerResponse, status: number, body: object) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
