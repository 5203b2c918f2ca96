import type { KubeObject } from '../object.ts';
import { defineResourceType, neverBumpsGeneration } from './define.ts';
import { ageColumn, column, nameColumn } from './columns.ts';

const MAX_LISTED = 3;

function listWithMore(list: string[], more: boolean, count: number, empty: string): string {
  const text = list.join(',');
  if (more) return `${text} + ${count - MAX_LISTED} more...`;
  return text || empty;
}

const joinHostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** kubectl's formatEndpoints: up to three `ip:port`, then ` + N more...`. */
export function formatEndpoints(endpoints: KubeObject): string {
  const subsets = (endpoints.subsets ?? []) as any[];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const subset of subsets) {
    const addresses: any[] = subset.addresses ?? [];
    const ports: any[] = subset.ports ?? [];
    if (ports.length === 0) {
      count += addresses.length;
      for (const address of addresses) {
        if (list.length === MAX_LISTED) {
          more = true;
          break;
        }
        list.push(address.ip);
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const address of addresses) {
        if (list.length === MAX_LISTED) {
          more = true;
          break;
        }
        list.push(joinHostPort(address.ip, port.port));
      }
    }
  }
  return listWithMore(list, more, count, '');
}

function formatSliceList(items: string[]): string {
  return listWithMore(items.slice(0, MAX_LISTED), items.length > MAX_LISTED, items.length, '<unset>');
}

export const endpointsType = defineResourceType({
  kind: 'Endpoints',
  group: '',
  version: 'v1',
  plural: 'endpoints',
  singular: 'endpoints',
  shortNames: ['ep'],
  namespaced: true,
  columns: [nameColumn, column('Endpoints', 'string', 'Endpoints of this object', formatEndpoints), ageColumn],
  defaults(endpoints) {
    for (const subset of (endpoints.subsets ?? []) as any[]) for (const port of subset.ports ?? []) port.protocol ??= 'TCP';
  },
  specChanged: neverBumpsGeneration,
});

export const endpointSliceType = defineResourceType({
  kind: 'EndpointSlice',
  group: 'discovery.k8s.io',
  version: 'v1',
  plural: 'endpointslices',
  namespaced: true,
  columns: [
    nameColumn,
    column('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.', (slice) => (slice.addressType as string) ?? ''),
    column('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.', (slice) =>
      formatSliceList(((slice.ports as any[]) ?? []).map((p) => (p.port !== undefined && p.port !== null ? String(p.port) : p.name ?? '*'))),
    ),
    column('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.', (slice) => formatSliceList(((slice.endpoints as any[]) ?? []).flatMap((e) => e.addresses ?? []))),
    ageColumn,
  ],
  defaults(slice) {
    for (const port of (slice.ports ?? []) as any[]) {
      port.protocol ??= 'TCP';
      port.name ??= '';
    }
  },
  specChanged: neverBumpsGeneration,
});
