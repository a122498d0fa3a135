import { api } from './api';
import { toMyRatings, type MyRating } from './models';

export interface User {
  username: string;
}

/** What every view shares: who is logged in and their ratings (to show stars everywhere). */
export class Session {
  user: User | null = null;
  readonly ratings = new Map<string, MyRating>();
  private readonly listeners = new Set<() => void>();

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    for (const listener of this.listeners) listener();
  }

  async loadRatings(): Promise<void> {
    const ratings = toMyRatings(await api<unknown>('ratings', 'GET', '/ratings/me'));
    this.ratings.clear();
    for (const rating of ratings) this.ratings.set(rating.movieId, rating);
  }

  async rate(movie: { id: string; title: string; year?: number }, rating: number): Promise<void> {
    await api('ratings', 'PUT', `/ratings/${encodeURIComponent(movie.id)}`, { rating });
    this.ratings.set(movie.id, { movieId: movie.id, rating, title: movie.title, year: movie.year });
    this.notify();
  }

  async unrate(movieId: string): Promise<void> {
    await api('ratings', 'DELETE', `/ratings/${encodeURIComponent(movieId)}`);
    this.ratings.delete(movieId);
    this.notify();
  }
}
