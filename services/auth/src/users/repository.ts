export interface User {
  id: string;
  username: string;
  passwordHash: string;
  createdAt: Date;
}

export interface NewUser {
  username: string;
  passwordHash: string;
}

/** Where users live. Two implementations: MongoDB (production) and in-memory (local). */
export interface UserRepository {
  readonly kind: 'mongodb' | 'memory';
  /** Throws UsernameTakenError when the username exists. */
  create(user: NewUser): Promise<User>;
  findByUsername(username: string): Promise<User | undefined>;
  findById(id: string): Promise<User | undefined>;
  updatePasswordHash(id: string, passwordHash: string): Promise<void>;
  /** Resolves when the store can serve requests (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class UsernameTakenError extends Error {
  constructor(readonly username: string) {
    super(`username ${username} is taken`);
    this.name = 'UsernameTakenError';
  }
}

/** The store could not be reached; answered with 503. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
