export interface Ipv4Network {
  /** The network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

/** Parses `a.b.c.d/n`; null when it is not a valid IPv4 CIDR block. */
export function parseIpv4Cidr(text: string): Ipv4Network | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!match) return null;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 32) return null;
  const address = octets.reduce((acc, octet) => acc * 256 + octet, 0);
  const size = 2 ** (32 - prefix);
  return { base: address - (address % size), prefix };
}

/** True when the text is a network address (no host bits) with a prefix AWS accepts for a VPC we use. */
export function isVpcCidr(text: string): boolean {
  const network = parseIpv4Cidr(text);
  if (!network || network.prefix < 16 || network.prefix > 24) return false;
  return (
    `${[24, 16, 8, 0].map((shift) => Math.floor(network.base / 2 ** shift) % 256).join('.')}/${network.prefix}` ===
    text
  );
}

export function cidrsOverlap(a: Ipv4Network, b: Ipv4Network): boolean {
  const aEnd = a.base + 2 ** (32 - a.prefix);
  const bEnd = b.base + 2 ** (32 - b.prefix);
  return a.base < bEnd && b.base < aEnd;
}
