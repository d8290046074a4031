// A CommonJS handler, as the template's bundles are: what each test event asks of it.
const { getHeapStatistics } = require('node:v8');

exports.handler = async (event, context) => {
  if (event.throw) throw new TypeError(event.throw);
  if (event.sleepMs) await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
  if (event.exitCode !== undefined) process.exit(event.exitCode);
  return {
    pid: process.pid,
    requestId: context.awsRequestId,
    functionName: context.functionName,
    memoryLimitInMB: context.memoryLimitInMB,
    invokedFunctionArn: context.invokedFunctionArn,
    remainingMs: context.getRemainingTimeInMillis(),
    heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 1024 / 1024),
    environment: process.env,
    event,
  };
};
