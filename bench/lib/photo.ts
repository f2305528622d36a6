/** A phone-like test photo: 4000×3000 JPEG, smooth gradients plus sensor-like noise, EXIF. */
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';

export const PHOTO_WIDTH = 4000;
export const PHOTO_HEIGHT = 3000;

export async function makePhoto(path: string): Promise<void> {
  const width = PHOTO_WIDTH;
  const height = PHOTO_HEIGHT;
  const pixels = Buffer.alloc(width * height * 3);
  const noise = randomBytes(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const n = (noise[i] % 48) - 24;
      pixels[i * 3] = Math.max(0, Math.min(255, (x * 255) / width + n));
      pixels[i * 3 + 1] = Math.max(0, Math.min(255, (y * 255) / height + n));
      pixels[i * 3 + 2] = Math.max(0, Math.min(255, 128 + 100 * Math.sin(x / 90) + n));
    }
  }
  await sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .withExif({ IFD0: { Make: 'Bench', Model: 'Phone' } })
    .toFile(path);
}
