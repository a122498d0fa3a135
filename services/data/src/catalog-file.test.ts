import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCatalog } from './catalog/catalog';
import { readCatalog } from './main';

describe('CATALOG_FILE', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'data-catalog-'));
  const write = (name: string, content: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('uses the shipped catalog when unset', () => {
    expect(readCatalog(undefined)).toEqual(loadCatalog());
  });

  it('replaces the shipped catalog with the file', () => {
    const movies = [
      { id: 'synthetic-00001-1999', title: 'Synthetic Feature 1', year: 1999, genres: ['Drama'] },
      {
        id: 'synthetic-00002-2004',
        title: 'Synthetic Feature 2',
        year: 2004,
        genres: ['War', 'Drama'],
      },
    ];
    expect(readCatalog(write('good.json', JSON.stringify(movies)))).toEqual(movies);
  });

  it('names the file and the problem for a missing file', () => {
    const missing = path.join(dir, 'missing.json');
    expect(() => readCatalog(missing)).toThrow(`CATALOG_FILE ${missing}: ENOENT`);
  });

  it('names the file for invalid JSON', () => {
    const file = write('broken.json', '[{"id": ');
    expect(() => readCatalog(file)).toThrow(new RegExp(`^CATALOG_FILE ${file}: .*JSON`));
  });

  it('validates entries like the shipped catalog (id must end in the year, no duplicates)', () => {
    const wrongYear = write(
      'year.json',
      JSON.stringify([{ id: 'film-1999', title: 'Film', year: 2000, genres: ['Drama'] }]),
    );
    expect(() => readCatalog(wrongYear)).toThrow(
      `CATALOG_FILE ${wrongYear}: catalog: id film-1999 does not end in its year`,
    );
    const movie = { id: 'film-1999', title: 'Film', year: 1999, genres: ['Drama'] };
    const duplicate = write('dup.json', JSON.stringify([movie, movie]));
    expect(() => readCatalog(duplicate)).toThrow('duplicate movie id film-1999');
    const badShape = write('shape.json', JSON.stringify([{ ...movie, rating: 5 }]));
    expect(() => readCatalog(badShape)).toThrow(`CATALOG_FILE ${badShape}:`);
  });
});
