// Behaviour of the rendered manifests (real helm, parsed with `yaml`): replicas and spreading,
// rollout safety, exposure, the network policy call graph, hardening, determinism, HPA/PDB,
// secrets, the optional MongoDB and ingress, and NOTES.txt.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '@movies/testing';
import {
  chartDir,
  everythingOn,
  find,
  localKind,
  one,
  productionLike,
  parseManifests,
  render,
  renderIn,
  services,
  type Json,
  type Manifest,
  type ServiceName,
  type ValuesSet,
} from './render';

type Pod = {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: Json;
};

const ports: Record<ServiceName, number> = {
  web: 8080,
  auth: 8081,
  recommendation: 8082,
  data: 8083,
};
const callGraph: Record<ServiceName, ServiceName[]> = {
  web: ['auth', 'data', 'recommendation'],
  auth: [],
  data: ['auth'],
  recommendation: ['auth', 'data'],
};

const podTemplates = (manifests: Manifest[]): [string, Pod][] => [
  ...manifests
    .filter((m) => m.kind === 'Deployment' || m.kind === 'StatefulSet')
    .map((m) => [`${m.kind}/${m.metadata.name}`, m.spec.template as Pod] as [string, Pod]),
  ...find(manifests, 'Pod').map(
    (m) =>
      [`Pod/${m.metadata.name}`, { metadata: m.metadata as Pod['metadata'], spec: m.spec }] as [
        string,
        Pod,
      ],
  ),
];
const deployment = (manifests: Manifest[], service: string) =>
  one(manifests, 'Deployment', `movies-${service}`);
const container = (manifests: Manifest[], service: string) =>
  deployment(manifests, service).spec.template.spec.containers[0];
const config = (manifests: Manifest[], service: string) =>
  one(manifests, 'ConfigMap', `movies-${service}`).data!;

let production: Manifest[];
let everything: Manifest[];
let kind: Manifest[];
let productionText: string;

beforeAll(async () => {
  const [a, b, c] = await Promise.all([
    render(productionLike),
    render(everythingOn),
    render(localKind),
  ]);
  production = a.manifests;
  productionText = a.text;
  everything = b.manifests;
  kind = c.manifests;
}, 60_000);

describe('production-like values', () => {
  it.each(services)(
    '%s: three replicas spread over zones (hard) and nodes (soft), zero-downtime rollout',
    (service) => {
      const spec = deployment(production, service).spec;
      expect(spec.replicas).toBe(3);
      expect(spec.strategy).toEqual({
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
      });
      const constraints = spec.template.spec.topologySpreadConstraints;
      const zone = constraints.find((c: Json) => c.topologyKey === 'topology.kubernetes.io/zone');
      const host = constraints.find((c: Json) => c.topologyKey === 'kubernetes.io/hostname');
      expect(zone).toMatchObject({ maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' });
      expect(host).toMatchObject({ maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway' });
      for (const c of [zone, host])
        expect(c.labelSelector.matchLabels).toEqual(spec.selector.matchLabels);
    },
  );

  it.each(services)(
    '%s: image pulled by digest from the registry, tag kept for humans',
    (service) => {
      const set = productionLike.set!;
      expect(container(production, service).image).toBe(
        `111111111111.dkr.ecr.eu-west-1.amazonaws.com/movies/${service}:${set[`services.${service}.image.tag`]}@${set[`services.${service}.image.digest`]}`,
      );
      expect(config(production, service).GIT_SHA).toBe(set[`services.${service}.image.tag`]);
    },
  );

  it('standard labels on every resource, stable selectors without the version', () => {
    for (const m of production) {
      expect(m.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': 'movies',
        'app.kubernetes.io/instance': 'movies',
        'app.kubernetes.io/part-of': 'movies',
        'app.kubernetes.io/managed-by': 'Helm',
      });
      expect(m.metadata.labels!['app.kubernetes.io/component']).toBeTruthy();
      expect(m.metadata.labels!['app.kubernetes.io/version']).toBeTruthy();
      expect(m.metadata.namespace).toBe('movies');
    }
    for (const service of services) {
      expect(deployment(production, service).spec.selector.matchLabels).toEqual({
        'app.kubernetes.io/name': 'movies',
        'app.kubernetes.io/instance': 'movies',
        'app.kubernetes.io/component': service,
      });
      expect(one(production, 'Service', `movies-${service}`).spec.selector).toEqual(
        deployment(production, service).spec.selector.matchLabels,
      );
    }
  });

  it('only web is exposed: a LoadBalancer (NLB) on port 80 to container port 8080; the others are ClusterIP', () => {
    const web = one(production, 'Service', 'movies-web');
    expect(web.spec.type).toBe('LoadBalancer');
    expect(web.spec.ports).toEqual([
      { name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' },
    ]);
    expect(web.metadata.annotations!['service.beta.kubernetes.io/aws-load-balancer-type']).toBe(
      'nlb',
    );
    // Client addresses survive the NLB (instance targets, only nodes with a web pod).
    expect(web.spec.externalTrafficPolicy).toBe('Local');
    expect(container(production, 'web').ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'ops', containerPort: 9090, protocol: 'TCP' },
    ]);
    // No Service of the chart exposes the operational port.
    for (const svc of find(production, 'Service'))
      for (const port of svc.spec.ports as Json[])
        expect([svc.metadata.name, port.targetPort]).not.toEqual([svc.metadata.name, 'ops']);
    for (const service of ['auth', 'data', 'recommendation']) {
      const svc = one(production, 'Service', `movies-${service}`);
      expect(svc.spec.type).toBe('ClusterIP');
      expect(
        svc.metadata.annotations!['service.beta.kubernetes.io/aws-load-balancer-type'],
      ).toBeUndefined();
    }
    expect(
      production
        .filter((m) => m.kind === 'Service' && m.spec.type !== 'ClusterIP')
        .map((m) => m.metadata.name),
    ).toEqual(['movies-web']);
    expect(find(production, 'Ingress')).toEqual([]);
  });

  it.each(services)(
    '%s: upstream addresses built from the called services’ names and ports',
    (service) => {
      const data = config(production, service);
      const urls = Object.keys(data)
        .filter((key) => key.endsWith('_URL'))
        .sort();
      expect(urls).toEqual(
        callGraph[service].map((upstream) => `${upstream.toUpperCase()}_URL`).sort(),
      );
      for (const upstream of callGraph[service]) {
        expect(data[`${upstream.toUpperCase()}_URL`]).toBe(
          `http://movies-${upstream}:${ports[upstream]}`,
        );
      }
      expect(data.PORT).toBe(String(ports[service]));
    },
  );

  it.each(services)(
    '%s: probes on /healthz and /readyz of the ops port, a startup probe, preStop sleep matched to the drain',
    (service) => {
      const c = container(production, service);
      const pod = deployment(production, service).spec.template.spec;
      expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'ops' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'ops' });
      expect(c.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'ops' });
      expect(config(production, service).OPS_PORT).toBe('9090');
      expect(pod.containers[0].ports).toContainEqual({
        name: 'ops',
        containerPort: 9090,
        protocol: 'TCP',
      });
      expect(deployment(production, service).spec.template.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '9090',
        'prometheus.io/path': '/metrics',
      });
      const preStop = c.lifecycle.preStop.sleep.seconds as number;
      const data = config(production, service);
      expect(data.SHUTDOWN_DRAIN_MS).toBe('2000');
      expect(data.SHUTDOWN_GRACE_MS).toBe('10000');
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(
        preStop + (Number(data.SHUTDOWN_DRAIN_MS) + Number(data.SHUTDOWN_GRACE_MS)) / 1000,
      );
    },
  );

  it.each(services)('%s: a PodDisruptionBudget (3 replicas) and no HPA by default', (service) => {
    expect(one(production, 'PodDisruptionBudget', `movies-${service}`).spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: deployment(production, service).spec.selector.matchLabels },
    });
    expect(find(production, 'HorizontalPodAutoscaler')).toEqual([]);
  });
});

describe('hardening (every pod the chart runs, every values set)', () => {
  const all = () => [
    ...podTemplates(production),
    ...podTemplates(everything),
    ...podTemplates(kind),
  ];

  it('no container runs as root or can gain privileges; read-only root with /tmp as emptyDir', () => {
    const pods = all();
    expect(pods.length).toBeGreaterThanOrEqual(4 + 1 + 4 + 2);
    for (const [name, pod] of pods) {
      const spec = pod.spec;
      expect({ name, ...spec.securityContext }).toMatchObject({
        name,
        runAsNonRoot: true,
        runAsUser: 10001,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect({ name, automount: spec.automountServiceAccountToken }).toEqual({
        name,
        automount: false,
      });
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        expect({ name, ...c.securityContext }).toEqual({
          name,
          allowPrivilegeEscalation: false,
          privileged: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          runAsUser: 10001,
          runAsGroup: 10001,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
        for (const kindOf of ['requests', 'limits']) {
          expect(Object.keys(c.resources[kindOf]).sort()).toEqual([
            'cpu',
            'ephemeral-storage',
            'memory',
          ]);
        }
        const tmp = c.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/tmp');
        expect(
          spec.volumes.find((v: { name: string }) => v.name === tmp.name).emptyDir,
        ).toBeDefined();
      }
    }
  });

  it('every ServiceAccount has token automounting off', () => {
    for (const sa of [
      ...find(production, 'ServiceAccount'),
      ...find(everything, 'ServiceAccount'),
    ]) {
      expect(sa.automountServiceAccountToken).toBe(false);
    }
  });
});

describe('determinism and rollouts', () => {
  it('two renders with the same values are identical (no random names or values)', async () => {
    const again = await render(productionLike);
    expect(again.text).toBe(productionText);
  });

  it("a service's config change rolls only that service (checksum of its own ConfigMap)", async () => {
    const changed = (
      await render({
        ...productionLike,
        set: { ...productionLike.set, 'services.recommendation.env.MODEL_REFRESH_MS': '120000' },
      })
    ).manifests;
    const checksum = (manifests: Manifest[], service: string) =>
      deployment(manifests, service).spec.template.metadata.annotations['checksum/config'];
    expect(checksum(production, 'web')).toMatch(/^[a-f0-9]{64}$/);
    expect(checksum(changed, 'recommendation')).not.toBe(checksum(production, 'recommendation'));
    for (const service of ['web', 'auth', 'data'])
      expect(checksum(changed, service)).toBe(checksum(production, service));
    expect(config(changed, 'recommendation').MODEL_REFRESH_MS).toBe('120000');
  });
});

describe('HPA and PDB', () => {
  it('HPA on: autoscaling/v2 owns the replica count, the Deployment has no replicas field', () => {
    for (const service of services) {
      expect('replicas' in deployment(everything, service).spec).toBe(false);
      const hpa = one(everything, 'HorizontalPodAutoscaler', `movies-${service}`);
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec).toMatchObject({
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `movies-${service}` },
        minReplicas: 3,
        maxReplicas: 6,
      });
      expect(hpa.spec.metrics[0].resource).toEqual({
        name: 'cpu',
        target: { type: 'Utilization', averageUtilization: 70 },
      });
    }
  });

  it('PDB only when more than one replica runs', async () => {
    expect(find(kind, 'PodDisruptionBudget')).toEqual([]);
    expect(find(everything, 'PodDisruptionBudget')).toHaveLength(4); // one replica, but HPA min 3
    const mixed = (
      await render({
        name: 'mixed',
        files: localKind.files,
        set: {
          'services.auth.replicas': 2,
          'services.data.hpa.enabled': true,
          'services.data.hpa.minReplicas': 1,
        },
      })
    ).manifests;
    expect(find(mixed, 'PodDisruptionBudget').map((m) => m.metadata.name)).toEqual(['movies-auth']);
  });
});

describe('network policies', () => {
  type Peer = {
    podSelector?: { matchLabels?: Record<string, string> };
    namespaceSelector?: { matchLabels?: Record<string, string> };
    ipBlock?: { cidr: string };
  };
  type Rule = { from?: Peer[]; to?: Peer[]; ports?: { port: number | string; protocol: string }[] };
  const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
    Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
  const podLabels = (manifests: Manifest[], component: string): Record<string, string> => {
    const workload = manifests.find(
      (m) =>
        (m.kind === 'Deployment' || m.kind === 'StatefulSet') &&
        m.metadata.labels?.['app.kubernetes.io/component'] === component,
    );
    return workload!.spec.template.metadata.labels;
  };
  const policiesFor = (manifests: Manifest[], labels: Record<string, string>) =>
    find(manifests, 'NetworkPolicy').filter((p) => matches(p.spec.podSelector.matchLabels, labels));
  const portMatches = (rule: Rule, portName: string, port: number) =>
    !rule.ports || rule.ports.some((p) => p.port === port || p.port === portName);
  /** Same-namespace traffic from one component to another on its port, as Kubernetes decides it. */
  const allowed = (
    manifests: Manifest[],
    from: string,
    to: string,
    port: number,
    portName: string,
  ): boolean => {
    const src = podLabels(manifests, from);
    const dst = podLabels(manifests, to);
    const samePeer = (peer: Peer, labels: Record<string, string>) =>
      !peer.namespaceSelector &&
      !peer.ipBlock &&
      peer.podSelector !== undefined &&
      matches(peer.podSelector.matchLabels, labels);
    const ingressOk = policiesFor(manifests, dst).some((p) =>
      (p.spec.ingress ?? []).some(
        (r: Rule) =>
          portMatches(r, portName, port) && (!r.from || r.from.some((peer) => samePeer(peer, src))),
      ),
    );
    const egressOk = policiesFor(manifests, src).some((p) =>
      (p.spec.egress ?? []).some(
        (r: Rule) =>
          portMatches(r, portName, port) && (!r.to || r.to.some((peer) => samePeer(peer, dst))),
      ),
    );
    return ingressOk && egressOk;
  };

  it('deny all ingress and egress by default', () => {
    const deny = one(production, 'NetworkPolicy', 'movies-default-deny');
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    for (const p of find(production, 'NetworkPolicy'))
      expect(p.spec.policyTypes).toEqual(['Ingress', 'Egress']);
  });

  it('allows exactly the call graph between the services', () => {
    for (const manifests of [production, everything]) {
      for (const from of services) {
        for (const to of services) {
          if (from === to) continue;
          expect({ from, to, allowed: allowed(manifests, from, to, ports[to], 'http') }).toEqual({
            from,
            to,
            allowed: callGraph[from].includes(to),
          });
        }
      }
    }
  });

  const monitoring = {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
  };

  it('web takes traffic from anywhere on its app port only; the others from named callers only', () => {
    const web = one(production, 'NetworkPolicy', 'movies-web');
    expect(web.spec.ingress).toEqual([
      { ports: [{ port: 'http', protocol: 'TCP' }] },
      { from: [monitoring], ports: [{ port: 'ops', protocol: 'TCP' }] },
    ]);
    for (const service of ['auth', 'data', 'recommendation']) {
      const [callers, ...rest] = one(production, 'NetworkPolicy', `movies-${service}`).spec
        .ingress as Rule[];
      expect(callers!.ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
      for (const peer of callers!.from!)
        expect(peer.podSelector?.matchLabels?.['app.kubernetes.io/component']).toBeTruthy();
      expect(rest).toEqual([{ from: [monitoring], ports: [{ port: 'ops', protocol: 'TCP' }] }]);
    }
  });

  it('the operational port is reachable from the monitoring peer only: never from the internet or another service', () => {
    for (const manifests of [production, everything])
      for (const service of services) {
        const rules = policiesFor(manifests, podLabels(manifests, service)).flatMap(
          (p) => (p.spec.ingress ?? []) as Rule[],
        );
        const opsRules = rules.filter((r) => portMatches(r, 'ops', 9090));
        expect(opsRules).toEqual([
          { from: [monitoring], ports: [{ port: 'ops', protocol: 'TCP' }] },
        ]);
        for (const from of services)
          expect([from, service, allowed(manifests, from, service, 9090, 'ops')]).toEqual([
            from,
            service,
            false,
          ]);
      }
  });

  it('egress: DNS in kube-system over UDP and TCP 53 for every service', () => {
    for (const service of services) {
      const dns = (one(production, 'NetworkPolicy', `movies-${service}`).spec.egress as Rule[])[0]!;
      expect(dns.to).toEqual([
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        },
      ]);
      expect(dns.ports).toEqual([
        { port: 53, protocol: 'UDP' },
        { port: 53, protocol: 'TCP' },
      ]);
    }
  });

  it('MongoDB: the in-cluster pods from auth and data only; or an external CIDR from values', async () => {
    for (const from of services) {
      expect({ from, allowed: allowed(everything, from, 'mongodb', 27017, 'mongodb') }).toEqual({
        from,
        allowed: from === 'auth' || from === 'data',
      });
    }
    expect(one(everything, 'NetworkPolicy', 'movies-mongodb').spec.egress).toEqual([]);
    const external = (
      await render({
        name: 'external',
        files: [],
        set: { 'networkPolicy.externalMongodb.cidrs[0]': '10.10.0.0/16' },
      })
    ).manifests;
    for (const service of services) {
      const cidrRules = (
        one(external, 'NetworkPolicy', `movies-${service}`).spec.egress as Rule[]
      ).filter((r) => r.to?.some((peer) => peer.ipBlock));
      expect({ service, cidrRules }).toEqual({
        service,
        cidrRules:
          service === 'auth' || service === 'data'
            ? [
                {
                  to: [{ ipBlock: { cidr: '10.10.0.0/16' } }],
                  ports: [{ port: 27017, protocol: 'TCP' }],
                },
              ]
            : [],
      });
    }
  });

  it('with the ingress on, nothing but web is reachable from outside the namespace', () => {
    for (const service of ['auth', 'data', 'recommendation']) {
      const rules = one(everything, 'NetworkPolicy', `movies-${service}`).spec.ingress as Rule[];
      const fromOutside = rules.filter(
        (r) => !r.from || r.from.some((peer) => peer.namespaceSelector || peer.ipBlock),
      );
      // Only the monitoring peer, and only on the operational port.
      expect(fromOutside.map((r) => r.ports)).toEqual([[{ port: 'ops', protocol: 'TCP' }]]);
    }
  });
});

describe('secrets', () => {
  it('auth mounts the JWT key from the named Secret; auth and data read MONGODB_URI from the named Secret', () => {
    const auth = deployment(production, 'auth').spec.template.spec;
    // The whole key ring, without items or subPath, so the kubelet updates it in place on rotation.
    expect(auth.volumes.find((v: { name: string }) => v.name === 'jwt').secret).toEqual({
      secretName: 'movies-jwt',
      defaultMode: 0o440,
    });
    for (const mount of auth.containers[0].volumeMounts) expect(mount.subPath).toBeUndefined();
    expect(auth.containers[0].volumeMounts).toContainEqual({
      name: 'jwt',
      mountPath: '/var/run/secrets/jwt',
      readOnly: true,
    });
    expect(config(production, 'auth').JWT_KEYS_DIR).toBe('/var/run/secrets/jwt');
    expect(config(production, 'auth').JWT_PRIVATE_KEY_FILE).toBeUndefined();
    for (const service of services) {
      const env = container(production, service).env ?? [];
      // Each service its own database user: auth-uri for auth, data-uri for data.
      const expected =
        service === 'auth' || service === 'data'
          ? [
              {
                name: 'MONGODB_URI',
                valueFrom: { secretKeyRef: { name: 'movies-mongodb', key: `${service}-uri` } },
              },
            ]
          : [];
      expect({ service, env }).toEqual({ service, env: expected });
    }
    expect(find(production, 'Secret')).toEqual([]);
  });

  it.each(['staging', 'prod'])(
    '%s: the DocumentDB CA bundle mounted read-only for auth and data, and TLS required by the file it names',
    async (environment) => {
      const manifests = (
        await render({
          name: environment,
          files: [path.join(repoRoot, 'environments', environment, 'values.yaml')],
          set: productionLike.set,
        })
      ).manifests;
      for (const service of services) {
        const pod = deployment(manifests, service).spec.template.spec;
        const mount = (pod.containers[0].volumeMounts as Json[]).find(
          (m) => m.name === 'mongodb-ca',
        );
        const volume = (pod.volumes as Json[]).find((v) => v.name === 'mongodb-ca');
        if (service !== 'auth' && service !== 'data') {
          expect([service, mount, volume]).toEqual([service, undefined, undefined]);
          continue;
        }
        expect(mount).toEqual({
          name: 'mongodb-ca',
          mountPath: '/etc/movies/mongodb-ca',
          readOnly: true,
        });
        expect(volume.configMap).toEqual({
          name: 'movies-documentdb-ca',
          defaultMode: 0o444,
          items: [{ key: 'global-bundle.pem', path: 'global-bundle.pem' }],
        });
        expect(config(manifests, service).MONGODB_TLS_CA_FILE).toBe(
          `${mount.mountPath}/global-bundle.pem`,
        );
      }
    },
  );

  it('with the in-cluster MongoDB and no URI Secret, the URI is built from the root credentials', () => {
    const env = container(everything, 'data').env;
    expect(env.map((e: { name: string }) => e.name)).toEqual([
      'MONGODB_USERNAME',
      'MONGODB_PASSWORD',
      'MONGODB_URI',
    ]);
    expect(env[2].value).toBe(
      'mongodb://$(MONGODB_USERNAME):$(MONGODB_PASSWORD)@movies-mongodb:27017/?authSource=admin',
    );
    expect(env[1].valueFrom.secretKeyRef).toEqual({ name: 'movies-mongodb-root', key: 'password' });
  });
});

describe('in-cluster MongoDB', () => {
  it('a StatefulSet on a pinned official image with a PVC, authentication from an existing Secret, a headless Service', () => {
    const sts = one(everything, 'StatefulSet', 'movies-mongodb');
    const c = sts.spec.template.spec.containers[0];
    expect(c.image).toMatch(/^mongo:\d+\.\d+\.\d+$/);
    expect(c.env).toEqual(
      expect.arrayContaining([
        {
          name: 'MONGO_INITDB_ROOT_PASSWORD_FILE',
          value: '/var/run/secrets/mongodb-root/password',
        },
      ]),
    );
    expect(
      sts.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'root-credentials')
        .secret.secretName,
    ).toBe('movies-mongodb-root');
    expect(sts.spec.volumeClaimTemplates[0].spec).toMatchObject({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
    });
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data/db' });
    expect(one(everything, 'Service', 'movies-mongodb').spec.clusterIP).toBe('None');
    expect(find(production, 'StatefulSet')).toEqual([]);
  });
});

describe('local example and ingress', () => {
  it('local-kind: one replica, NodePort 30080, locally built images never pulled', () => {
    for (const service of services) {
      expect(deployment(kind, service).spec.replicas).toBe(1);
      expect(container(kind, service)).toMatchObject({
        image: `movies/${service}:dev`,
        imagePullPolicy: 'Never',
      });
    }
    expect(one(kind, 'Service', 'movies-web').spec).toMatchObject({
      type: 'NodePort',
      ports: [{ port: 80, nodePort: 30080 }],
    });
  });

  it('the ingress routes to web only (the gateway maps /api/*), with TLS and the cert-manager issuer', () => {
    const ingress = one(everything, 'Ingress', 'movies');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.metadata.annotations!['cert-manager.io/cluster-issuer']).toBe('letsencrypt');
    expect(ingress.spec.tls).toEqual([
      { hosts: ['movies.example.test'], secretName: 'movies-tls' },
    ]);
    expect(ingress.spec.rules[0].host).toBe('movies.example.test');
    const routes = ingress.spec.rules[0].http.paths.map((p: Json) => [
      p.path,
      p.pathType,
      p.backend.service.name,
      p.backend.service.port.name,
    ]);
    expect(routes).toEqual([['/', 'Prefix', 'movies-web', 'http']]);
  });
});

describe('Kubernetes versions', () => {
  it('before 1.30 the preStop pause is `node -e` (no sleep action, no shell in the image)', async () => {
    const old = (await render(productionLike, ['--kube-version', '1.29.0'])).manifests;
    expect(container(old, 'web').lifecycle.preStop).toEqual({
      exec: { command: ['/nodejs/bin/node', '-e', 'setTimeout(() => {}, 5000)'] },
    });
    expect(container(production, 'web').lifecycle.preStop).toEqual({ sleep: { seconds: 5 } });
  });
});

describe('NOTES.txt', () => {
  // helm renders NOTES.txt only on install (which needs a cluster); a copy of the chart renders
  // the same file through tpl inside a ConfigMap.
  async function notes(set: ValuesSet): Promise<string> {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'chart-notes-'));
    try {
      const testsDir = path.join(chartDir, 'tests');
      fs.cpSync(chartDir, copy, {
        recursive: true,
        filter: (source) => source !== testsDir && !source.startsWith(testsDir + path.sep),
      });
      fs.copyFileSync(path.join(copy, 'templates', 'NOTES.txt'), path.join(copy, 'notes.txt'));
      const wrapper =
        'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: notes }\ndata:\n  notes: {{ tpl (.Files.Get "notes.txt") . | toJson }}\n';
      fs.writeFileSync(path.join(copy, 'templates', 'notes-as-configmap.yaml'), wrapper);
      const rendered = parseManifests(
        await renderIn(copy, set, 'templates/notes-as-configmap.yaml'),
      );
      return rendered[0]!.data!.notes!;
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  }

  it('says how to reach the app for each exposure', async () => {
    const [lb, nodePort, clusterIp] = await Promise.all([
      notes(productionLike),
      notes(everythingOn),
      notes({ name: 'cluster-ip', files: [], set: { 'publicService.type': 'ClusterIP' } }),
    ]);
    expect(lb).toContain(
      "get service movies-web -o jsonpath='{.status.loadBalancer.ingress[0].hostname}",
    );
    expect(nodePort).toContain('http://localhost:30080/');
    expect(nodePort).toContain('https://movies.example.test/');
    expect(clusterIp).toContain('port-forward service/movies-web 8080:80');
    for (const text of [lb, nodePort, clusterIp])
      expect(text).toContain('helm test movies -n movies --logs');
  });
});
