/** The body was larger than the cap; nothing past the cap was read. */
export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The response body exceeds ${maxBytes} bytes.`);
    this.name = 'BodyTooLargeError';
  }
}

function declaredLength(response: Response): number | undefined {
  const header = response.headers.get('content-length');
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header);
}

/**
 * Reads a response body of at most `maxBytes` (after content decoding, so a compressed bomb is
 * caught too). A declared Content-Length above the cap is refused before any byte is read; a body
 * that streams past it is cancelled at the first chunk that crosses it, so memory stays within the
 * cap plus one chunk whatever the server sends.
 */
export async function readCappedBody(response: Response, maxBytes: number): Promise<Buffer> {
  const declared = declaredLength(response);
  if (declared !== undefined && declared > maxBytes) throw new BodyTooLargeError(maxBytes);
  const body = response.body;
  if (body === null) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks, total);
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
}
