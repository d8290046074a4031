import { describe, expect, it } from '@jest/globals';

/**
 * DynamoDB Local listens on every interface with CORS open by default: ours (started by the
 * harness exactly as `npm start` starts it) admits no browser origin.
 */
describe('DynamoDB Local as the project starts it', () => {
  it.each(['https://evil.example', 'null', 'http://localhost:3000'])('answers no CORS preflight from %s', async (origin) => {
    const response = await fetch(process.env.DYNAMODB_ENDPOINT!, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,x-amz-target' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});
