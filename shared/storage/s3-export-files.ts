import { PassThrough, type Writable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { DOWNLOAD_LINK_SECONDS, type ExportDownloads } from '../tracking/exports.ts';

/** S3's smallest part but the last: what the worker holds of a file at most, twice (two parts in flight). */
const PART_BYTES = 5 * 1024 * 1024;

export const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const;

/**
 * A file written to the exports bucket as it is made: what is written to `stream` goes up
 * in 5 MB parts of a multipart upload, so that the worker's memory does not grow with the
 * file. `done` resolves with the bytes stored once the upload is complete; a failed or
 * abandoned upload leaves no object (and the bucket's lifecycle rule removes its parts).
 */
export function s3FileSink(client: S3Client, bucket: string, key: string, contentType: string): { stream: Writable; done: Promise<{ bytes: number }> } {
  const body = new PassThrough();
  let bytes = 0;
  body.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  const upload = new Upload({ client, params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType }, partSize: PART_BYTES, queueSize: 2, leavePartsOnError: false });
  const done = upload.done().then(() => ({ bytes }));
  // A failure on either side ends both: the writer stops, the upload aborts.
  done.catch((error: unknown) => body.destroy(error as Error));
  return { stream: body, done };
}

/** Download links: a presigned GET of one object, saved under the export's file name. It is a bearer link (docs/exports.md). */
export function createS3ExportDownloads(client: S3Client, bucket: string): ExportDownloads {
  return {
    async link(objectKey, filename) {
      return getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: objectKey, ResponseContentDisposition: `attachment; filename="${filename}"` }), {
        expiresIn: DOWNLOAD_LINK_SECONDS,
      });
    },
  };
}
