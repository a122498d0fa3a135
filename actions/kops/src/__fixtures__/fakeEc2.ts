import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeNetwork {
  region: string;
  azs: string[];
  vpcId: string;
  vpcCidr: string;
  subnets: Array<{ id: string; az: string; cidr: string }>;
}

export interface FakeEc2 {
  /** For AWS_ENDPOINT_URL_EC2. */
  url: string;
  /** The EC2 actions called, in order. */
  actions: string[];
  stop(): Promise<void>;
}

const xmlns = 'http://ec2.amazonaws.com/doc/2016-11-15/';

function response(action: string, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${xmlns}"><requestId>00000000-0000-0000-0000-000000000000</requestId>${body}</${action}Response>`;
}

/**
 * The few EC2 Query API calls kOps makes while checking a cluster spec (regions, zones, and for
 * shared subnets without CIDRs the VPC and its subnets), answered on loopback from `network`, so
 * `kops create -f` can run its validation without an AWS account. Anything else gets EC2's
 * error shape, so an unexpected call shows up as a failure naming the action.
 */
export async function startFakeEc2(network: FakeNetwork): Promise<FakeEc2> {
  const actions: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const action = form.get('Action') ?? '(none)';
      actions.push(action);
      const xml = answer(action, form, network);
      res.writeHead(xml ? 200 : 400, { 'content-type': 'text/xml;charset=UTF-8' });
      res.end(
        xml ??
          `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>UnsupportedOperation</Code><Message>fake EC2 does not answer ${action}</Message></Error></Errors><RequestID>0</RequestID></Response>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    actions,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function answer(action: string, form: URLSearchParams, network: FakeNetwork): string | null {
  switch (action) {
    case 'DescribeRegions':
      return response(
        action,
        `<regionInfo><item><regionName>${network.region}</regionName><regionEndpoint>ec2.${network.region}.amazonaws.com</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item></regionInfo>`,
      );
    case 'DescribeAvailabilityZones':
      return response(
        action,
        `<availabilityZoneInfo>${network.azs
          .map(
            (az, i) =>
              `<item><zoneName>${az}</zoneName><zoneState>available</zoneState><regionName>${network.region}</regionName><zoneId>euw1-az${i + 1}</zoneId><zoneType>availability-zone</zoneType><messageSet/></item>`,
          )
          .join('')}</availabilityZoneInfo>`,
      );
    case 'DescribeVpcs':
      return response(
        action,
        `<vpcSet><item><vpcId>${network.vpcId}</vpcId><state>available</state><cidrBlock>${network.vpcCidr}</cidrBlock><cidrBlockAssociationSet><item><cidrBlock>${network.vpcCidr}</cidrBlock><associationId>vpc-cidr-assoc-0</associationId><cidrBlockState><state>associated</state></cidrBlockState></item></cidrBlockAssociationSet><isDefault>false</isDefault></item></vpcSet>`,
      );
    case 'DescribeSubnets': {
      const vpcFilter = [...form.entries()].some(
        ([k, v]) => /^Filter\.\d+\.Value\.\d+$/.test(k) && v === network.vpcId,
      );
      const subnets =
        vpcFilter || ![...form.keys()].some((k) => k.startsWith('Filter.')) ? network.subnets : [];
      return response(
        action,
        `<subnetSet>${subnets
          .map(
            (s) =>
              `<item><subnetId>${s.id}</subnetId><vpcId>${network.vpcId}</vpcId><cidrBlock>${s.cidr}</cidrBlock><availabilityZone>${s.az}</availabilityZone><state>available</state><availableIpAddressCount>4000</availableIpAddressCount></item>`,
          )
          .join('')}</subnetSet>`,
      );
    }
    default:
      return null;
  }
}
