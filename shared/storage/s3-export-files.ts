import { PassThrough, type Writable } from 'node:stream';
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { DOWNLOAD_LINK_SECONDS, type ExportCheckpoint, type ExportDownloads } from '../tracking/exports.ts';

/** S3's smallest part but the last: what the worker holds of a file at most, twice (two parts in flight). */
export const PART_BYTES = 5 * 1024 * 1024;

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

/**
 * A file written as an S3 multipart upload whose parts end on whole rows, so that a run can
 * stop after any part and another go on from it (docs/exports.md, "Time limit"): `add` takes a
 * row's bytes and its position; `flush` uploads what is buffered as a part once it reaches
 * `partBytes` (S3's smallest part but the last is 5 MiB); `checkpoint` says what is uploaded
 * and the last row in it; `complete` uploads the rest and ends the upload; `abort` ends it
 * without an object.
 */
export async function openResumableUpload(client: S3Client, target: { bucket: string; key: string; contentType: string; partBytes: number }, from: ExportCheckpoint | null) {
  const uploadId =
    from?.uploadId ?? (await client.send(new CreateMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, ContentType: target.contentType }))).UploadId ?? fail('S3 answered no upload id');
  const parts = [...(from?.parts ?? [])];
  let uploadedRows = from?.rows ?? 0;
  let uploadedBytes = from?.bytes ?? 0;
  let lastUploaded = from?.after;
  let buffered: Buffer[] = [];
  let bufferedBytes = 0;
  let bufferedRows = 0;
  let lastBuffered = lastUploaded;
  const uploadBuffered = async () => {
    const number = parts.length + 1;
    const body = Buffer.concat(buffered, bufferedBytes);
    const answer = await client.send(new UploadPartCommand({ Bucket: target.bucket, Key: target.key, UploadId: uploadId, PartNumber: number, Body: body }));
    parts.push({ number, etag: answer.ETag ?? fail('S3 answered no ETag for a part') });
    uploadedRows += bufferedRows;
    uploadedBytes += bufferedBytes;
    lastUploaded = lastBuffered;
    buffered = [];
    bufferedBytes = 0;
    bufferedRows = 0;
  };
  return {
    /** A row's bytes; `position` its entry's, when rows have one (a header has none). */
    add(bytes: Buffer, position?: { start: number; entryId: string }, isRow = true) {
      buffered.push(bytes);
      bufferedBytes += bytes.length;
      if (isRow) bufferedRows++;
      if (position) lastBuffered = position;
    },
    /** Uploads the buffer as a part when it is big enough; resolves true when it did. */
    async flush(): Promise<boolean> {
      if (bufferedBytes < target.partBytes) return false;
      await uploadBuffered();
      return true;
    },
    /** What is uploaded, for the next run (only after a flush: the buffer is empty then). */
    checkpoint(): ExportCheckpoint {
      if (bufferedBytes > 0 || !lastUploaded) throw new Error('a checkpoint is taken right after a part, and after a row with a position');
      return { uploadId, parts: [...parts], after: lastUploaded, rows: uploadedRows, bytes: uploadedBytes };
    },
    async complete(): Promise<{ rows: number; bytes: number }> {
      if (bufferedBytes > 0 || parts.length === 0) await uploadBuffered();
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: target.bucket,
          Key: target.key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.number, ETag: part.etag })) },
        }),
      );
      return { rows: uploadedRows, bytes: uploadedBytes };
    },
    async abort() {
      await client.send(new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: uploadId })).catch(() => {});
    },
  };
}

function fail(message: string): never {
  throw new Error(message);
}
