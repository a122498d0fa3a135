import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';

/** Where promoted images must exist. Production uses ECR; tests use a stand-in. */
export interface ImageRegistry {
  /** true when `repository` holds an image with exactly this digest. */
  hasImage(repository: string, digest: string): Promise<boolean>;
}

export interface EcrRegistryOptions {
  region: string;
  /** The AWS account id that owns the repositories (ECR's registryId). */
  registryId: string;
}

const ABSENT = new Set(['ImageNotFoundException', 'RepositoryNotFoundException']);

/**
 * ECR through the AWS SDK: credentials from the default chain (the OIDC role that
 * configure-aws-credentials exported); `AWS_ENDPOINT_URL_ECR` redirects it (tests).
 */
export class EcrImageRegistry implements ImageRegistry {
  private readonly client: ECRClient;

  constructor(private readonly options: EcrRegistryOptions) {
    this.client = new ECRClient({ region: options.region, maxAttempts: 3 });
  }

  async hasImage(repository: string, digest: string): Promise<boolean> {
    try {
      const result = await this.client.send(
        new DescribeImagesCommand({
          registryId: this.options.registryId,
          repositoryName: repository,
          imageIds: [{ imageDigest: digest }],
        }),
      );
      return (result.imageDetails ?? []).some((detail) => detail.imageDigest === digest);
    } catch (error) {
      if (error instanceof Error && ABSENT.has(error.name)) return false;
      throw error;
    }
  }
}
