import { ACTIONS_BOT, type FakeGitHub, type FakeRepository } from '@movies/actions-lib/testing';
import type { ReleaseImages } from '../release';

export interface SeededDeployment {
  id: number;
  environment: string;
  sha: string;
  /** Oldest first, as they were posted. */
  states: string[];
  images: ReleaseImages;
}

/**
 * Puts deployments into the fake GitHub as the helm action leaves them (payload.images, the
 * workflow bot as creator), with fixed ids so tests can name them.
 */
export function seedDeployment(
  github: FakeGitHub,
  repo: FakeRepository,
  deployment: SeededDeployment,
): void {
  void github;
  const at = '2026-11-20T10:00:00Z';
  repo.deployments.push({
    id: deployment.id,
    sha: deployment.sha,
    ref: 'main',
    environment: deployment.environment,
    payload: { images: deployment.images },
    description: '',
    production_environment: deployment.environment === 'prod',
    transient_environment: false,
    creator: ACTIONS_BOT,
    created_at: at,
    statuses: deployment.states.map((state, index) => ({
      id: deployment.id * 100 + index,
      state,
      description: '',
      environment_url: 'https://dev.example.test',
      log_url: `https://github.com/o/r/actions/runs/${deployment.id}`,
      creator: ACTIONS_BOT,
      created_at: at,
    })),
  });
}
