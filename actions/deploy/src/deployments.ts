import type { GitHub } from '@housing/github/client';

/** A GitHub Deployment and the statuses it goes through. */
export class Deployment {
  private constructor(
    private readonly github: GitHub,
    private readonly repo: { owner: string; repo: string },
    readonly id: number,
  ) {}

  /** Creates the deployment record (no merge, no required checks: the workflow already gated it). */
  static async create(
    github: GitHub,
    repo: { owner: string; repo: string },
    options: { ref: string; environment: string; image: string; modelVersion: string },
  ): Promise<Deployment> {
    const { data } = await github.rest.repos.createDeployment({
      ...repo,
      ref: options.ref,
      environment: options.environment,
      description: `${options.image} (${options.modelVersion})`,
      auto_merge: false,
      required_contexts: [],
      production_environment: options.environment === 'production',
      payload: { image: options.image, model_version: options.modelVersion },
    });
    // 202 is GitHub's "merged the default branch first" answer, which auto_merge: false rules out.
    if (!('id' in data)) throw new Error(`GitHub created no deployment: ${data.message ?? ''}`);
    return new Deployment(github, repo, data.id);
  }

  /**
   * Adds a status. A success marks the environment's earlier deployments
   * inactive (auto_inactive), so the Deployments page shows what runs now.
   */
  async status(
    state: 'in_progress' | 'success' | 'failure',
    description: string,
    extra: { environmentUrl?: string; logUrl?: string } = {},
  ): Promise<void> {
    await this.github.rest.repos.createDeploymentStatus({
      ...this.repo,
      deployment_id: this.id,
      state,
      // GitHub caps descriptions at 140 characters.
      description: description.slice(0, 140),
      ...(extra.environmentUrl ? { environment_url: extra.environmentUrl } : {}),
      ...(extra.logUrl ? { log_url: extra.logUrl } : {}),
      auto_inactive: state === 'success',
    });
  }
}
