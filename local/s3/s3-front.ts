import { createServer, request as httpRequest, type Server } from 'node:http';
import { allows, type PolicyStatement } from '../iam/policy-decision.ts';
import { listenOnLoopback } from '../listen-on-loopback.ts';

/**
 * A function's view of the exports bucket in `npm run start:template`: a proxy in front of
 * the local S3 server that lets through only what the function's role allows in the
 * template, and otherwise answers as S3 does (403 AccessDenied, nothing applied). A link the
 * function presigns points at its own front, so that a download is allowed exactly when
 * the role that signed it may read the object, as S3 decides for a presigned URL.
 */
export type S3FrontOptions = { functionName: string; target: string; statements: PolicyStatement[]; bucketLogicalId: string; bucketName: string };

/** The S3 action a path-style request needs, and the resource it acts on (the bucket, or one object). */
export function s3PermissionOf(method: string, url: URL, bucketName: string): { action: string; resource: string } | undefined {
  const [, bucket, ...keyParts] = url.pathname.split('/');
  if (bucket !== bucketName) return undefined;
  const key = decodeURIComponent(keyParts.join('/'));
  const query = url.searchParams;
  if (key === '') return method === 'GET' || method === 'HEAD' ? { action: 's3:ListBucket', resource: `arn:aws:s3:::${bucketName}` } : undefined;
  const object = `arn:aws:s3:::${bucketName}/${key}`;
  // A multipart upload's every step (create, parts, complete) is s3:PutObject; its abort is s3:AbortMultipartUpload.
  if (method === 'GET' || method === 'HEAD') return { action: query.has('uploadId') ? 's3:ListMultipartUploadParts' : 's3:GetObject', resource: object };
  if (method === 'PUT' || method === 'POST') return { action: 's3:PutObject', resource: object };
  if (method === 'DELETE') return { action: query.has('uploadId') ? 's3:AbortMultipartUpload' : 's3:DeleteObject', resource: object };
  return undefined;
}

export async function startS3Front(options: S3FrontOptions) {
  const upstream = new URL(options.target);
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://local');
    const permission = s3PermissionOf(request.method ?? '', url, options.bucketName);
    // Fail closed: what cannot be read or is not allowed is refused.
    if (!permission || !allows(options.statements, permission.action, options.bucketLogicalId, permission.resource)) {
      request.resume();
      response.writeHead(403, { 'content-type': 'application/xml' });
      response.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>User: arn:aws:sts::000000000000:assumed-role/${options.functionName}/local is not authorized to perform: ${permission?.action ?? 'this request'}</Message></Error>`,
      );
      return;
    }
    const forwarded = httpRequest({ host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: { ...request.headers, host: upstream.host } }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    forwarded.on('error', () => {
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
    request.pipe(forwarded);
  });
  return listenOnLoopback(server);
}
