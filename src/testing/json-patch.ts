import { invalidIdentityRequest } from '../ory/kratos/identity-errors.js';

type Container = Record<string, unknown> | unknown[];

function segmentsOf(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function rejected(path: string): Error {
  // Kratos answers 400 to a patch it cannot apply; the service turns that into this error.
  return invalidIdentityRequest(`The patch cannot be applied at ${path}.`);
}

/** The container of the last segment, and that segment. */
function parentOf(document: Container, path: string): [Container, string] {
  const segments = segmentsOf(path);
  const last = segments.pop();
  if (last === undefined) throw rejected(path);
  let current: unknown = document;
  for (const segment of segments) {
    current = (current as Record<string, unknown>)[segment];
    if (typeof current !== 'object' || current === null) throw rejected(path);
  }
  return [current as Container, last];
}

function read(document: Container, path: string): unknown {
  const [parent, key] = parentOf(document, path);
  if (!Object.hasOwn(parent, key)) throw rejected(path);
  return (parent as Record<string, unknown>)[key];
}

function write(document: Container, path: string, value: unknown, replace: boolean): void {
  const [parent, key] = parentOf(document, path);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw rejected(path);
    parent.splice(index, replace ? 1 : 0, value);
    return;
  }
  if (replace && !Object.hasOwn(parent, key)) throw rejected(path);
  parent[key] = value;
}

function remove(document: Container, path: string): void {
  const [parent, key] = parentOf(document, path);
  if (!Object.hasOwn(parent, key)) throw rejected(path);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
}

export interface PatchOperation {
  readonly op: string;
  readonly path: string;
  readonly from?: string;
  readonly value?: unknown;
}

/** RFC 6902 on a copy of `document`, as Kratos applies an identity patch. */
export function applyJsonPatch<T extends object>(
  document: T,
  operations: readonly PatchOperation[],
): T {
  const copy = structuredClone(document) as Container;
  for (const { op, path, from, value } of operations) {
    const source = from ?? '';
    if (op === 'add') write(copy, path, structuredClone(value), false);
    else if (op === 'replace') write(copy, path, structuredClone(value), true);
    else if (op === 'remove') remove(copy, path);
    else if (op === 'copy') write(copy, path, structuredClone(read(copy, source)), false);
    else if (op === 'move') {
      const moved = read(copy, source);
      remove(copy, source);
      write(copy, path, moved, false);
    } else if (JSON.stringify(read(copy, path)) !== JSON.stringify(value)) throw rejected(path);
  }
  return copy as T;
}
