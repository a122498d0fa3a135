// The images `npm run images` builds, each from its own Dockerfile with the allow-list beside
// it (`<Dockerfile>.dockerignore`) and the repository root as context.
export const REGISTRY = 'docker.io';

export const TARGETS = {
  auth: { dockerfile: 'services/auth/Dockerfile', service: true },
  data: { dockerfile: 'services/data/Dockerfile', service: true },
  recommendation: { dockerfile: 'services/recommendation/Dockerfile', service: true },
  web: { dockerfile: 'services/web/Dockerfile', service: true },
  ferretdb: { dockerfile: 'scripts/images/ferretdb/Dockerfile', service: false },
};

export const TARGET_NAMES = Object.keys(TARGETS);
export const SERVICE_NAMES = TARGET_NAMES.filter((name) => TARGETS[name].service);

export const repositoryOf = (name) => `movies/${name}`;
export const imageNameOf = (name) => `${REGISTRY}/${repositoryOf(name)}`;
