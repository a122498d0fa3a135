// The web Service is provisioned by the AWS cloud controller manager that kOps runs (kOps 1.33
// does not install the AWS Load Balancer Controller unless spec.awsLoadBalancerController is
// set, which the render never does). Its annotation set is read from that controller's source
// (k8s.io/cloud-provider-aws, the release kOps 1.33 pins for Kubernetes 1.32, fetched through the
// Go module proxy): the rendered annotations of every environment must be ones it reads, and the
// values schema must accept exactly those.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadEnvironment } from '@movies/actions-lib';
import { repoRoot } from '@movies/testing';
import { chartDir, one, productionLike, render } from './render';

jest.setTimeout(180_000);

/** kOps 1.33.1 pkg/model/components/awscloudcontrollermanager.go: Kubernetes 1.31+ gets v1.31.0. */
const CCM_MODULE = 'k8s.io/cloud-provider-aws@v1.31.0';
const PREFIX = 'service.beta.kubernetes.io/aws-load-balancer-';

function controllerAnnotations(): { names: Set<string>; source: string } {
  const download = JSON.parse(
    execFileSync('go', ['mod', 'download', '-json', CCM_MODULE], {
      encoding: 'utf8',
      env: { ...process.env, GOFLAGS: '-mod=mod' },
      timeout: 150_000,
    }),
  ) as { Dir: string };
  const dir = path.join(download.Dir, 'pkg', 'providers', 'v1');
  const source = fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.go') && !file.endsWith('_test.go'))
    .map((file) => fs.readFileSync(path.join(dir, file), 'utf8'))
    .join('\n');
  const names = new Set(
    [...source.matchAll(/"(service\.beta\.kubernetes\.io\/aws-load-balancer-[a-z0-9-]+)"/g)].map(
      (m) => m[1]!,
    ),
  );
  return { names, source };
}

describe('the web Service against the cloud controller kOps runs', () => {
  let ccm: { names: Set<string>; source: string };
  beforeAll(() => {
    ccm = controllerAnnotations();
  });

  it('the controller source lists its annotations, and it is not the Load Balancer Controller', () => {
    expect(ccm.names.size).toBeGreaterThan(20);
    expect(ccm.names.has(`${PREFIX}type`)).toBe(true);
    // The AWS Load Balancer Controller's scheme annotation: this controller never reads it.
    expect(ccm.names.has(`${PREFIX}scheme`)).toBe(false);
    expect(ccm.source).toMatch(/"nlb"/);
  });

  it('the values schema accepts exactly the aws-load-balancer-* annotations the controller reads', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(chartDir, 'values.schema.json'), 'utf8'));
    const allowed = schema.properties.publicService.properties.annotations.propertyNames.anyOf[1]
      .enum as string[];
    expect([...allowed].sort()).toEqual([...ccm.names].sort());
  });

  it.each(['dev', 'staging', 'prod'])(
    '%s: an internet-facing NLB the controller understands, client addresses kept',
    async (environment) => {
      const { env } = loadEnvironment(repoRoot, environment);
      const { manifests } = await render({
        name: environment,
        files: [path.join(repoRoot, 'environments', environment, 'values.yaml')],
        set: productionLike.set,
      });
      const web = one(manifests, 'Service', 'movies-web');
      const annotations = Object.keys(web.metadata.annotations ?? {}).filter((key) =>
        key.startsWith(PREFIX),
      );
      expect(annotations.length).toBeGreaterThan(0);
      for (const key of annotations) expect([key, ccm.names.has(key)]).toEqual([key, true]);
      expect(web.metadata.annotations![`${PREFIX}type`]).toBe('nlb');
      // Internet-facing is the controller's default; "internal" would make it private.
      expect(web.metadata.annotations![`${PREFIX}internal`]).toBeUndefined();
      expect(web.metadata.annotations![`${PREFIX}additional-resource-tags`]).toBe(
        `project=movies,environment=${env.name}`,
      );
      expect(web.spec).toMatchObject({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' });
    },
  );
});
