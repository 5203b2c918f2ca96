import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string;
  token?: string;
  /** PEM of the server's certificate, trusted as the cluster CA (self-signed serving). */
  caCertificate?: string | Buffer;
  name?: string;
}

/** A kubeconfig that points kubectl (or any client) at this server, with a default namespace. */
export function kubeconfigFor(options: KubeconfigOptions): string {
  const name = options.name ?? 'orrery';
  const cluster: Record<string, unknown> = { server: options.server };
  if (options.caCertificate) cluster['certificate-authority-data'] = Buffer.from(options.caCertificate).toString('base64');
  const user: Record<string, unknown> = options.token ? { token: options.token } : {};
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

export async function writeKubeconfig(path: string, options: KubeconfigOptions): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, kubeconfigFor(options), { mode: 0o600 });
}
