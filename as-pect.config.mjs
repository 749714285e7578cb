// as-pect runs the core's units inside a test module; the "hal" imports come from here.
import { createHash, createCipheriv } from "node:crypto";

// A deterministic byte stream stands in for the TRNG so failures replay exactly.
let counter = 0;
function deterministicBytes(len) {
  const out = Buffer.alloc(len);
  let off = 0;
  while (off < len) {
    const block = createHash("sha256").update(`aspect-trng-${counter++}`).digest();
    off += block.copy(out, off);
  }
  return out;
}

export default {
  entries: ["assembly/__tests__/**/*.spec.ts"],
  include: ["assembly/__tests__/**/*.include.ts"],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    let instance;
    // The test module imports its memory (env.memory): read and write through that.
    const mem = () => new Uint8Array(memory.buffer);
    const hal = {
      // Tests exercise the software AES: the HAL reports "unsupported" unless
      // globalThis.aspectHardwareAes is set.
      aes128_encrypt(key, input, output) {
        if (!globalThis.aspectHardwareAes) return -1;
        const m = mem();
        const c = createCipheriv("aes-128-ecb", m.slice(key, key + 16), null);
        c.setAutoPadding(false);
        m.set(c.update(m.slice(input, input + 16)), output);
        return 0;
      },
      random(buf, len) { mem().set(deterministicBytes(len), buf); return 0; },
      clock_ms() { return 0; },
      wall_time_s() { return -1n; },
      send(_buf, _len) { return 0; },
      log(_level, _msg, _len) {},
    };
    instance = instantiate(binary, createImports({ env: { memory }, hal }));
    return instance;
  },
  outputBinary: false,
};
