import { S3Client } from '@aws-sdk/client-s3';

/**
 * The container's S3 client. On one machine (`npm start`) AWS_ENDPOINT_URL_S3 points it at
 * the local S3 server, which serves buckets by path, not by host name.
 */
export const s3Client = new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) });
