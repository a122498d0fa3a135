import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

/** The secrets of one environment in AWS Secrets Manager (created without values by Terraform). */
export class SecretStore {
  private readonly client: SecretsManagerClient;

  constructor(region: string) {
    this.client = new SecretsManagerClient({ region, maxAttempts: 3 });
  }

  /**
   * The current value, or null when the secret exists without one. A secret that does not exist
   * at all is an error naming it (terraform/environment creates them: apply it first).
   */
  async read(name: string): Promise<string | null> {
    try {
      const answer = await this.client.send(new GetSecretValueCommand({ SecretId: name }));
      return answer.SecretString ?? null;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) {
        if (/value|version|staging label/i.test(error.message)) return null;
        throw new Error(
          `secret ${name} does not exist: terraform/environment creates it (module app-secrets); apply Terraform first`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  async write(name: string, value: string): Promise<void> {
    await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
  }
}
