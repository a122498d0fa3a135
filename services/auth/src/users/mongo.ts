import { randomUUID } from 'node:crypto';
import {
  MongoClient,
  MongoServerError,
  type Collection,
  type Db,
  type MongoClientOptions,
} from 'mongodb';
import {
  StoreUnavailableError,
  UsernameTakenError,
  type NewUser,
  type User,
  type UserRepository,
} from './repository';

interface UserDocument {
  _id: string;
  username: string;
  passwordHash: string;
  createdAt: Date;
}

const DUPLICATE_KEY = 11000;

function toUser(document: UserDocument): User {
  return {
    id: document._id,
    username: document.username,
    passwordHash: document.passwordHash,
    createdAt: document.createdAt,
  };
}

function isDriverConnectivityError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return (
    typeof name === 'string' &&
    /^Mongo(ServerSelection|Network|NetworkTimeout|NotConnected|Topology\w*)Error$/.test(name)
  );
}

async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isDriverConnectivityError(error))
      throw new StoreUnavailableError('user store is unreachable', { cause: error });
    throw error;
  }
}

/**
 * Users in the `users` collection: `_id` is a random UUID, `username` has a unique index (made
 * idempotently before the first write and by the readiness check, so a database that is down at
 * start only delays readiness).
 */
export class MongoUserRepository implements UserRepository {
  readonly kind = 'mongodb' as const;
  private readonly users: Collection<UserDocument>;
  private indexesReady: Promise<void> | undefined;

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
  ) {
    this.users = db.collection<UserDocument>('users');
  }

  /** Does not connect yet: the driver connects on the first operation. */
  static create(
    uri: string,
    dbName: string,
    options: MongoClientOptions = {},
  ): MongoUserRepository {
    const client = new MongoClient(uri, {
      serverSelectionTimeoutMS: 5000,
      appName: 'movies-auth',
      ...options,
    });
    return new MongoUserRepository(client, client.db(dbName));
  }

  ensureIndexes(): Promise<void> {
    this.indexesReady ??= guard(async () => {
      await this.users.createIndex({ username: 1 }, { unique: true, name: 'username_unique' });
    }).catch((error: unknown) => {
      this.indexesReady = undefined;
      throw error;
    });
    return this.indexesReady;
  }

  async create(user: NewUser): Promise<User> {
    await this.ensureIndexes();
    const document: UserDocument = {
      _id: randomUUID(),
      username: user.username,
      passwordHash: user.passwordHash,
      createdAt: new Date(),
    };
    try {
      await guard(() => this.users.insertOne(document));
    } catch (error) {
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY)
        throw new UsernameTakenError(user.username);
      throw error;
    }
    return toUser(document);
  }

  async findByUsername(username: string): Promise<User | undefined> {
    const document = await guard(() => this.users.findOne({ username: { $eq: username } }));
    return document ? toUser(document) : undefined;
  }

  async findById(id: string): Promise<User | undefined> {
    const document = await guard(() => this.users.findOne({ _id: { $eq: id } }));
    return document ? toUser(document) : undefined;
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await guard(() => this.users.updateOne({ _id: { $eq: id } }, { $set: { passwordHash } }));
  }

  async ping(): Promise<void> {
    await this.ensureIndexes();
    await guard(() => this.db.command({ ping: 1 }));
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
