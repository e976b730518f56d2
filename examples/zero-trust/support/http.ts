/** Small HTTP helpers for the smoke checks: every answer as status + parsed body, steps printed. */

export interface Answer {
  readonly status: number;
  readonly body: unknown;
  /** The response's headers (`Retry-After`, ...); absent in answers built by hand. */
  readonly headers?: Headers;
}

export async function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; json?: unknown } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { Accept: 'application/json', ...init.headers };
  if (init.json !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text for the failure message.
  }
  return { status: response.status, body, headers: response.headers };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** The library's error code in an answer (`{ statusCode, code, message }`), if any. */
export function errorCode(answer: Answer): string | undefined {
  const body = answer.body;
  return typeof body === 'object' && body !== null && 'code' in body
    ? String((body as { code: unknown }).code)
    : undefined;
}

/**
 * The gateway's own refusal with this status, so the request never reached an app: Oathkeeper's
 * error body (`{ error: { code } }`), or nginx's error page for the decision's 401 or 403.
 */
export function refusedByGateway(
  answer: Answer,
  front: 'oathkeeper' | 'nginx',
  status: 401 | 403 = 401,
): boolean {
  if (answer.status !== status) return false;
  if (front === 'nginx')
    return typeof answer.body === 'string' && answer.body.includes('<center>nginx');
  return (answer.body as { error?: { code?: unknown } }).error?.code === status;
}

/** Throws unless the gateway itself refused the request with `status`. */
export function expectGatewayRefusal(
  answer: Answer,
  front: 'oathkeeper' | 'nginx',
  status: 401 | 403,
): void {
  if (!refusedByGateway(answer, front, status)) {
    throw new Error(
      `expected ${status} from the gateway, got ${describe(answer)}: ${JSON.stringify(answer.body).slice(0, 500)}`,
    );
  }
}

function describe(answer: Answer): string {
  const code = errorCode(answer);
  return code === undefined ? String(answer.status) : `${answer.status} ${code}`;
}

/** Throws unless the answer has this status (and error code, when given); returns the body. */
export function expectAnswer(answer: Answer, status: number, code?: string): unknown {
  if (answer.status !== status || (code !== undefined && errorCode(answer) !== code)) {
    const wanted = code === undefined ? String(status) : `${status} ${code}`;
    throw new Error(
      `expected ${wanted}, got ${describe(answer)}: ${JSON.stringify(answer.body).slice(0, 1_000)}`,
    );
  }
  return answer.body;
}

/** Prints each step and its outcome; a failing step is printed and rethrown. */
export class StepLog {
  readonly lines: string[] = [];

  constructor(private readonly print: (line: string) => void = console.log) {}

  async step<T>(name: string, run: () => Promise<T>, outcome?: (value: T) => string): Promise<T> {
    try {
      const value = await run();
      this.write(`ok   ${name}${outcome === undefined ? '' : ` -> ${outcome(value)}`}`);
      return value;
    } catch (error) {
      this.write(`FAIL ${name}: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }

  private write(line: string): void {
    this.lines.push(line);
    this.print(line);
  }
}
