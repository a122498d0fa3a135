import { randomUUID } from 'node:crypto';
import { UsernameTakenError, type NewUser, type User, type UserRepository } from './repository';

/** Users in a Map: lost on restart, one per replica. For local runs and tests only. */
export class InMemoryUserRepository implements UserRepository {
  readonly kind = 'memory' as const;
  private readonly byId = new Map<string, User>();
  private readonly idByUsername = new Map<string, string>();

  async create(user: NewUser): Promise<User> {
    if (this.idByUsername.has(user.username)) throw new UsernameTakenError(user.username);
    const created: User = {
      id: randomUUID(),
      username: user.username,
      passwordHash: user.passwordHash,
      createdAt: new Date(),
    };
    this.byId.set(created.id, created);
    this.idByUsername.set(created.username, created.id);
    return { ...created };
  }

  async findByUsername(username: string): Promise<User | undefined> {
    const id = this.idByUsername.get(username);
    return id === undefined ? undefined : this.findById(id);
  }

  async findById(id: string): Promise<User | undefined> {
    const user = this.byId.get(id);
    return user ? { ...user } : undefined;
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    const user = this.byId.get(id);
    if (user) user.passwordHash = passwordHash;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
