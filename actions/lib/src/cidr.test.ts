import { cidrsOverlap, isVpcCidr, parseIpv4Cidr } from './cidr';

describe('CIDR helpers', () => {
  it.each(['10.10.0.0/16', '10.20.0.0/16', '172.16.8.0/21', '192.168.1.0/24'])(
    'accepts %s as a VPC CIDR',
    (cidr) => {
      expect(isVpcCidr(cidr)).toBe(true);
    },
  );

  it.each([
    ['10.10.0.0', 'no prefix'],
    ['10.10.0.0/8', 'prefix too large for a VPC'],
    ['10.10.0.0/28', 'prefix too small for subnets per AZ'],
    ['10.10.1.0/16', 'host bits set'],
    ['10.300.0.0/16', 'octet above 255'],
    ['fd00::/48', 'IPv6'],
  ])('rejects %s (%s)', (cidr) => {
    expect(isVpcCidr(cidr)).toBe(false);
  });

  it('detects overlapping networks', () => {
    const a = parseIpv4Cidr('10.10.0.0/16')!;
    expect(cidrsOverlap(a, parseIpv4Cidr('10.10.128.0/17')!)).toBe(true);
    expect(cidrsOverlap(a, parseIpv4Cidr('10.11.0.0/16')!)).toBe(false);
    expect(cidrsOverlap(parseIpv4Cidr('10.0.0.0/8')!, a)).toBe(true);
  });
});
