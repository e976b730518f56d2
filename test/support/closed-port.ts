import { freePorts } from './ory/ports.js';

/** The URL of a loopback port nothing listens on: an upstream that is down refuses at once. */
export async function closedPortUrl(): Promise<string> {
  const [port] = await freePorts(1);
  return `http://127.0.0.1:${String(port)}`;
}
