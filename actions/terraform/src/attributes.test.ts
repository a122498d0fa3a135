import { attributeChanges, sensitiveValues, SENSITIVE, UNKNOWN } from './attributes';

describe('attribute changes', () => {
  it('lists changed leaves only, with unknown values marked', () => {
    const changes = attributeChanges({
      actions: ['update'],
      before: { cidr_block: '10.0.0.0/16', tags: { Name: 'a', Team: 'x' }, id: 'vpc-1' },
      after: { cidr_block: '10.0.0.0/16', tags: { Name: 'b', Team: 'x' }, id: null },
      after_unknown: { id: true },
    });
    expect(changes).toEqual([
      { path: 'id', before: '"vpc-1"', after: UNKNOWN },
      { path: 'tags.Name', before: '"a"', after: '"b"' },
    ]);
  });

  it('masks sensitive leaves, nested list items and whole sensitive objects', () => {
    const changes = attributeChanges({
      actions: ['update'],
      before: { password: 'old', users: [{ name: 'a', key: 'k1' }], settings: { token: 't1' } },
      after: { password: 'new', users: [{ name: 'a', key: 'k2' }], settings: { token: 't2' } },
      before_sensitive: { password: true, users: [{ key: true }], settings: true },
      after_sensitive: { password: true, users: [{ key: true }], settings: true },
    });
    expect(changes).toEqual([
      { path: 'password', before: SENSITIVE, after: SENSITIVE },
      { path: 'settings.token', before: SENSITIVE, after: SENSITIVE },
      { path: 'users[0].key', before: SENSITIVE, after: SENSITIVE },
    ]);
    expect(JSON.stringify(changes)).not.toMatch(/old|new|k1|k2|t1|t2/);
  });

  it('collects the sensitive values to mask in the log', () => {
    expect(
      sensitiveValues({
        actions: ['update'],
        before: { password: 'old-pass', port: 27017, users: [{ key: 'k1' }] },
        after: { password: 'new-pass', port: 27017, users: [{ key: 'k2' }] },
        before_sensitive: { password: true, users: [{ key: true }] },
        after_sensitive: { password: true, users: [{ key: true }] },
      }).sort(),
    ).toEqual(['k1', 'k2', 'new-pass', 'old-pass']);
    expect(
      sensitiveValues({
        actions: ['create'],
        before: null,
        after: 'an-output-secret',
        after_sensitive: true,
      }),
    ).toEqual(['an-output-secret']);
  });
});
