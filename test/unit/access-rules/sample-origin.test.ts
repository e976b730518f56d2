import { describe, expect, it } from 'vitest';
import { sampleOrigins } from '../../../src/access-rules/sample-origin.js';

describe('sampleOrigins', () => {
  it('keeps a plain origin as it is', () => {
    expect(sampleOrigins('https://api.example.com', 'regexp')).toEqual(['https://api.example.com']);
  });

  it("fills a group with each of its own alternatives, in either strategy's spelling", () => {
    expect(sampleOrigins('http://<{127.0.0.1,localhost}>:4455', 'glob')).toEqual([
      'http://127.0.0.1:4455',
      'http://localhost:4455',
    ]);
    expect(sampleOrigins('http://<127\\.0\\.0\\.1|localhost>:4455', 'regexp')).toEqual([
      'http://127.0.0.1:4455',
      'http://localhost:4455',
    ]);
    expect(sampleOrigins('<https?>://<(?:a\\.example|b\\.example)>', 'regexp')).toEqual([
      'http://a.example',
      'http://b.example',
    ]);
  });

  it('fills a group that is no list of names with a host name it accepts', () => {
    expect(sampleOrigins('http://<[^/]+>:4455', 'regexp')).toEqual(['http://localhost:4455']);
    expect(sampleOrigins('http://<*>:4455', 'glob')).toEqual(['http://localhost:4455']);
    expect(sampleOrigins('http://<[0-9]+>', 'regexp')).toEqual(['http://1']);
  });

  it('says which group no value fits', () => {
    expect(() => sampleOrigins('http://<q{3}z>', 'regexp')).toThrow(
      'cannot make a URL from the origin "http://<q{3}z>": no host fits <q{3}z>; check it with a plain origin',
    );
  });
});
