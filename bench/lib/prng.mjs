// Seeded pseudo-random numbers, so generated fleets are identical on every run and machine
// (Math.random cannot be seeded). Seeds are strings, so each file draws from its own stream
// and one service's choices do not shift when the number of services changes.

/** FNV-1a over the string's UTF-16 code units: a stable 32-bit seed. */
function seedOf(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: returns a function giving floats in [0, 1); plenty for test data. */
export function createRandom(seedText) {
  let state = seedOf(seedText);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [min, max]. */
export function randomInt(random, min, max) {
  return min + Math.floor(random() * (max - min + 1));
}

/** A random unsigned 32-bit integer. */
export function randomU32(random) {
  return Math.floor(random() * 4294967296) >>> 0;
}
