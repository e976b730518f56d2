import type { CreateIdentityBody } from '@ory/client';

/** The most identities the library sends in one call (Kratos v1.3.1 takes 2000, later 1000). */
export const MAX_IMPORT_CHUNK = 500;
/** Kratos (after v1.3.1) refuses more plain-text passwords per call: each one is hashed inline. */
export const MAX_PLAINTEXT_PASSWORDS_PER_CHUNK = 200;

/** One item of a chunk: its index in the input, Kratos' body, and the patch id naming it. */
export interface ImportItem {
  readonly index: number;
  readonly body: CreateIdentityBody;
  readonly patchId: string;
}

/**
 * Splits items into calls of at most `chunkSize` items, of which at most
 * {@link MAX_PLAINTEXT_PASSWORDS_PER_CHUNK} carry a plain-text password. Order is kept.
 */
export function importChunks(items: readonly ImportItem[], chunkSize: number): ImportItem[][] {
  const chunks: ImportItem[][] = [];
  let current: ImportItem[] = [];
  let passwords = 0;
  for (const item of items) {
    const hasPassword = typeof item.body.credentials?.password?.config?.password === 'string';
    if (
      current.length === chunkSize ||
      (hasPassword && passwords === MAX_PLAINTEXT_PASSWORDS_PER_CHUNK)
    ) {
      chunks.push(current);
      current = [];
      passwords = 0;
    }
    current.push(item);
    if (hasPassword) passwords += 1;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
