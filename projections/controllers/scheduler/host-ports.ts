/** A host port a pod asks for: `protocol/port` plus the host IP (`0.0.0.0` = every address). */
export interface HostPort {
  key: string;
  ip: string;
}

const ANY_IP = '0.0.0.0';

/** The hostPorts of a pod's containers (NodePorts' getContainerPorts), defaults filled in. */
export function hostPortsOf(podSpec: any): HostPort[] | undefined {
  let ports: HostPort[] | undefined;
  for (const container of (podSpec?.containers ?? []) as Array<{ ports?: Array<{ hostPort?: number; hostIP?: string; protocol?: string }> }>) {
    for (const port of container.ports ?? []) {
      if (!port.hostPort || port.hostPort <= 0) continue;
      (ports ??= []).push({ key: `${port.protocol ?? 'TCP'}/${port.hostPort}`, ip: port.hostIP || ANY_IP });
    }
  }
  return ports;
}

/** protocol/port → host IP → how many bound pods use it. */
export type UsedPorts = Map<string, Map<string, number>>;

/** HostPortInfo.CheckConflict: the same protocol and port clash when either side binds every address or both bind the same one. */
export function conflicts(used: UsedPorts, wanted: readonly HostPort[]): boolean {
  for (const port of wanted) {
    const ips = used.get(port.key);
    if (!ips) continue;
    if (port.ip === ANY_IP || ips.has(ANY_IP) || ips.has(port.ip)) return true;
  }
  return false;
}

export function addPorts(used: UsedPorts, ports: readonly HostPort[], sign: 1 | -1): void {
  for (const port of ports) {
    let ips = used.get(port.key);
    if (!ips) used.set(port.key, (ips = new Map()));
    const next = (ips.get(port.ip) ?? 0) + sign;
    if (next <= 0) {
      ips.delete(port.ip);
      if (ips.size === 0) used.delete(port.key);
    } else ips.set(port.ip, next);
  }
}
