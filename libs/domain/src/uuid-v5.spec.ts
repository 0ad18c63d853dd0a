import { v5 } from 'uuid';
import { DNS_NAMESPACE, uuidV5 } from './uuid-v5';

describe('uuidV5', () => {
  it('gives the RFC 4122 test vector: www.example.com in the DNS namespace', () => {
    expect(uuidV5('www.example.com', DNS_NAMESPACE)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('does not depend on the case of the namespace', () => {
    expect(uuidV5('www.example.com', DNS_NAMESPACE.toUpperCase())).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('is deterministic, and different names give different version-5 UUIDs', () => {
    const a = uuidV5('a:b', DNS_NAMESPACE);
    expect(uuidV5('a:b', DNS_NAMESPACE)).toBe(a);
    expect(uuidV5('a:c', DNS_NAMESPACE)).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('gives what the uuid package gives, for names of any script and length', () => {
    const namespace = '2f0c1f8e-6d1e-4a7c-9a55-53e1c3b1f0a1';
    for (const name of ['', 'moodle-log:site:id:42', 'Ärger in 東京 🎓', 'x'.repeat(5000), 'short after a long one', '🎓'.repeat(300)]) expect(uuidV5(name, namespace)).toBe(v5(name, namespace));
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidV5('x', 'dns')).toThrow(TypeError);
  });
});
