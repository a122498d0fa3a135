// Bad values fail `helm template` with a message that names the key (values.schema.json and the
// templates' required/fail checks).
import { template, type ValuesSet } from './render';

const cases: [string, ValuesSet['set'], RegExp][] = [
  [
    'an unknown top-level key',
    { replicaCount: 3 },
    /additional properties 'replicaCount' not allowed/,
  ],
  [
    'an unknown key in a service',
    { 'services.web.replica': 2 },
    /at '\/services\/web': additional properties 'replica' not allowed/,
  ],
  [
    'an unknown key deep inside a service',
    { 'services.auth.hpa.targetCPU': 50 },
    /at '\/services\/auth\/hpa': additional properties 'targetCPU' not allowed/,
  ],
  [
    'replicas: 0',
    { 'services.data.replicas': 0 },
    /at '\/services\/data\/replicas': minimum: got 0, want 1/,
  ],
  [
    'an image with neither tag nor digest',
    { 'services.recommendation.image.tag': '' },
    /at '\/services\/recommendation\/image': 'anyOf' failed[\s\S]*\/services\/recommendation\/image\/tag/,
  ],
  [
    'a malformed digest',
    { 'services.web.image.digest': 'sha256:ABC' },
    /at '\/services\/web\/image\/digest': 'sha256:ABC' does not match pattern/,
  ],
  [
    'a port out of range',
    { 'services.auth.port': 70000 },
    /at '\/services\/auth\/port': maximum: got 70,000, want 65,535/,
  ],
  [
    'no JWT key Secret',
    { 'secrets.jwt.existingSecret': '' },
    /secrets\.jwt\.existingSecret is required/,
  ],
  [
    'no MongoDB URI Secret without the in-cluster MongoDB',
    { 'secrets.mongodb.existingSecret': '' },
    /secrets\.mongodb\.existingSecret is required/,
  ],
  [
    'the in-cluster MongoDB without its root Secret',
    { 'mongodb.enabled': true, 'mongodb.auth.existingSecret': '' },
    /mongodb\.auth\.existingSecret is required/,
  ],
  [
    'an env variable the chart sets itself',
    { 'services.web.env.AUTH_URL': 'http://elsewhere' },
    /services\.web\.env\.AUTH_URL is set by the chart/,
  ],
  [
    'a disabled service other services call',
    { 'services.auth.enabled': false },
    /services\.auth\.enabled is false but other enabled services call it/,
  ],
  [
    'TLS without a host',
    { 'ingress.enabled': true, 'ingress.tls.enabled': true, 'ingress.tls.secretName': 'x' },
    /ingress\.host is required when ingress\.tls\.enabled/,
  ],
  [
    'an unknown service type',
    { 'publicService.type': 'ExternalName' },
    /at '\/publicService\/type'/,
  ],
  [
    'an HPA whose minimum is above its maximum',
    {
      'services.web.hpa.enabled': true,
      'services.web.hpa.minReplicas': 7,
      'services.web.hpa.maxReplicas': 4,
    },
    /services\.web\.hpa\.minReplicas \(7\) is above services\.web\.hpa\.maxReplicas \(4\)/,
  ],
  [
    'a disruption budget that lets every replica go',
    { 'services.auth.replicas': 2, 'services.auth.pdb.maxUnavailable': 2 },
    /services\.auth\.pdb\.maxUnavailable \(2\) must be below the 2 replicas that run \(services\.auth\.replicas\)/,
  ],
  [
    'a disruption budget above the HPA minimum',
    {
      'services.data.hpa.enabled': true,
      'services.data.hpa.minReplicas': 3,
      'services.data.pdb.maxUnavailable': 3,
    },
    /services\.data\.pdb\.maxUnavailable \(3\) must be below the 3 replicas that run \(services\.data\.hpa\.minReplicas\)/,
  ],
  [
    'an AWS Load Balancer Controller annotation the cloud controller ignores',
    {
      'publicService.annotations.service\\.beta\\.kubernetes\\.io/aws-load-balancer-scheme':
        'internet-facing',
    },
    /invalid propertyName 'service\.beta\.kubernetes\.io\/aws-load-balancer-scheme'/,
  ],
  [
    'an unknown externalTrafficPolicy',
    { 'publicService.externalTrafficPolicy': 'Nearest' },
    /at '\/publicService\/externalTrafficPolicy'/,
  ],
  [
    'no operational port',
    { 'operations.port': 0 },
    /at '\/operations\/port': minimum: got 0, want 1/,
  ],
];

describe('bad values are refused naming the key', () => {
  it.each(cases)('%s', async (_name, set, message) => {
    const result = await template({ name: _name, files: [], set });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });

  it('the same renders succeed with good values (the failures above come from the bad key)', async () => {
    const result = await template({
      name: 'good',
      files: [],
      set: {
        'services.data.replicas': 1,
        'services.web.hpa.enabled': true,
        'services.web.hpa.minReplicas': 4,
        'services.web.hpa.maxReplicas': 4,
        'services.auth.replicas': 3,
        'services.auth.pdb.maxUnavailable': 2,
        'publicService.annotations.service\\.beta\\.kubernetes\\.io/aws-load-balancer-internal':
          'true',
        'services.recommendation.image.tag': '',
        'services.recommendation.image.digest': `sha256:${'0'.repeat(64)}`,
      },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`image: "movies/recommendation@sha256:${'0'.repeat(64)}"`);
  });
});
