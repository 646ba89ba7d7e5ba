import type { GitHubClient } from '../../shared/github.ts';

/** A GitHub Deployment and the statuses it goes through. */
export class Deployment {
  private constructor(
    private readonly client: GitHubClient,
    private readonly base: string,
    readonly id: number,
  ) {}

  /** Creates the deployment record (no merge, no required checks: the workflow already gated it). */
  static async create(
    client: GitHubClient,
    repo: { owner: string; repo: string },
    options: { ref: string; environment: string; image: string; modelVersion: string },
  ): Promise<Deployment> {
    const base = `/repos/${repo.owner}/${repo.repo}/deployments`;
    const created = await client.json<{ id: number }>('POST', base, {
      ref: options.ref,
      environment: options.environment,
      description: `${options.image} (${options.modelVersion})`,
      auto_merge: false,
      required_contexts: [],
      production_environment: options.environment === 'production',
      payload: { image: options.image, model_version: options.modelVersion },
    });
    return new Deployment(client, base, created.id);
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
    await this.client.json('POST', `${this.base}/${this.id}/statuses`, {
      state,
      // GitHub caps descriptions at 140 characters.
      description: description.slice(0, 140),
      ...(extra.environmentUrl ? { environment_url: extra.environmentUrl } : {}),
      ...(extra.logUrl ? { log_url: extra.logUrl } : {}),
      auto_inactive: state === 'success',
    });
  }
}
