import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/app-config';
import { LocalDiskStorage, mediaTempDir, newMediaKey } from './media-storage';

describe('LocalDiskStorage', () => {
  let root: string;
  let storage: LocalDiskStorage;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'media-storage-'));
    storage = new LocalDiskStorage(loadConfig({ UPLOAD_DIR: join(root, 'uploads') }));
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('makes random keys in the right folder with the given extension', () => {
    const a = newMediaKey('stories', 'mp4');
    expect(a).toMatch(/^stories\/[0-9a-f]{32}\.mp4$/);
    expect(newMediaKey('stories', 'mp4')).not.toBe(a);
    expect(newMediaKey('thumbnails', 'jpg')).toMatch(/^thumbnails\/[0-9a-f]{32}\.jpg$/);
  });

  it('keeps the temp dir inside UPLOAD_DIR, hidden from the static handler', () => {
    expect(mediaTempDir({ uploadDir: join(root, 'uploads') })).toBe(join(root, 'uploads', '.tmp'));
  });

  it('moves a file in, resolves it, and deletes it (missing keys are fine)', async () => {
    const source = join(root, 'incoming');
    writeFileSync(source, 'bytes');
    const key = newMediaKey('stories', 'jpg');

    await storage.put(source, key);

    expect(existsSync(source)).toBe(false);
    expect(storage.localPath(key)).toBe(join(root, 'uploads', key));
    expect(readFileSync(storage.localPath(key), 'utf8')).toBe('bytes');

    await storage.delete([key, newMediaKey('thumbnails', 'jpg')]);
    expect(existsSync(storage.localPath(key))).toBe(false);
  });

  const otherDevice = existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(tmpdir()).dev;
  (otherDevice ? it : it.skip)(
    'copies and unlinks when the file is on another device',
    async () => {
      const shm = mkdtempSync('/dev/shm/media-storage-');
      try {
        const source = join(shm, 'incoming');
        writeFileSync(source, 'across devices');
        const key = newMediaKey('stories', 'png');

        await storage.put(source, key);

        expect(existsSync(source)).toBe(false);
        expect(readFileSync(storage.localPath(key), 'utf8')).toBe('across devices');
      } finally {
        rmSync(shm, { recursive: true, force: true });
      }
    },
  );

  it('refuses keys that are not storage keys (no path traversal)', () => {
    for (const key of ['../package.json', 'stories/../../x.jpg', '/etc/passwd', 'stories/a.jpg']) {
      expect(() => storage.localPath(key)).toThrow(/Not a media storage key/);
    }
  });

  it('builds root-relative URLs, or absolute ones from PUBLIC_BASE_URL', () => {
    expect(storage.publicUrl('stories/ab.jpg')).toBe('/uploads/stories/ab.jpg');
    const cdn = new LocalDiskStorage(
      loadConfig({ UPLOAD_DIR: root, PUBLIC_BASE_URL: 'https://media.example.com' }),
    );
    expect(cdn.publicUrl('thumbnails/ab.jpg')).toBe(
      'https://media.example.com/uploads/thumbnails/ab.jpg',
    );
  });
});
