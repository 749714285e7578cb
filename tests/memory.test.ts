// DESIGN.md memory rule, measured: 30 handshakes in one module instance write nothing above
// the module's static end (everything from there to the end of the page is painted and must
// stay painted), leave the heap top and memory.size() where they were, never replace the
// linear memory, and keep no stack in linear memory (AssemblyScript's stub runtime has no
// shadow stack: locals live on the engine's stack). That engine stack is measured where a
// board has one to size: wasm3's, by tests/wasm3/test_stack.py.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as codes from "../host/codes";
import { DtlsEngine } from "../host/engine";
import { startGnuTls, PSK_HEX, PSK_IDENTITY, ServerProcess } from "./support/servers";
import { BUILD } from "./support/paths";

const servers: ServerProcess[] = [];
after(async () => { for (const s of servers) await s.stop(); });

/** A byte per address that no plain fill (zeros, 0xff, a copy of a neighbour) reproduces. */
const paint = (address: number) => (address * 167 + 0x5a) & 0xff;

/** Addresses in [from, to) whose byte is no longer the paint. */
function overwritten(memory: Uint8Array, from: number, to: number): number[] {
  const out: number[] = [];
  for (let a = from; a < to; a++) if (memory[a] !== paint(a)) out.push(a);
  return out;
}

test("the module keeps no stack in linear memory: no stack-pointer global, nothing starts at the static end", () => {
  const wat = readFileSync(join(BUILD, "dtls.wat"), "utf8");
  const staticEnd = new DtlsEngine({ psk: { identity: Buffer.from("a"), key: Buffer.from([1]) } }, () => {}).info(codes.INFO_STATIC_END);
  assert.doesNotMatch(wat, /stack_pointer/i, "an AssemblyScript shadow stack (a runtime other than stub?)");
  // A shadow stack pointer starts at the top of its region, i.e. at __heap_base (the static end).
  const globals = [...wat.matchAll(/^\s*\(global \$(\S+) \(mut i32\) \(i32\.const (-?\d+)\)\)/gm)];
  assert.ok(globals.length > 10, "the .wat lists the module's globals");
  const atEnd = globals.filter((g) => Number(g[2]) >= staticEnd).map((g) => g[1]);
  assert.deepEqual(atEnd, [], `mutable globals starting at or above the static end (${staticEnd})`);
});

test("30 handshakes and echoes in one instance: nothing written above the static end, heap top and memory size never move", async () => {
  const server = await startGnuTls();
  servers.push(server);
  const socket = createSocket("udp4");
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
  const engine = new DtlsEngine(
    { psk: { identity: Buffer.from(PSK_IDENTITY), key: Buffer.from(PSK_HEX, "hex") }, rtoMs: 1000 },
    (d) => socket.send(d, server.port, "127.0.0.1"),
  );
  let wake: () => void = () => {};
  socket.on("message", (m) => { engine.receive(m); wake(); });
  const next = () => new Promise<void>((r) => { wake = r; setTimeout(r, 50); });

  const memoryBuffer = engine.wasm.memory.buffer;
  const memory = new Uint8Array(memoryBuffer);
  const heapTop = engine.info(codes.INFO_HEAP_TOP);
  const staticEnd = engine.info(codes.INFO_STATIC_END);
  const pages = engine.info(codes.INFO_MEMORY_PAGES);
  assert.equal(pages, 1);
  assert.ok(staticEnd > 0 && staticEnd < memory.length, `static end ${staticEnd}`);
  assert.ok(engine.wasm.dtls_buffer() + engine.wasm.dtls_buffer_size() <= staticEnd, "the I/O buffer is static");
  for (let a = staticEnd; a < memory.length; a++) memory[a] = paint(a);
  const unused = memory.length - staticEnd;
  const written: number[] = [];  // bytes above the static end overwritten, after each handshake
  const regions = Array.from({ length: codes.REGION_COUNT }, (_, id) => id);
  const peaks = () => regions.map((id) => engine.info(codes.INFO_REGION_PEAK + id));
  const sizes = regions.map((id) => engine.info(codes.INFO_REGION_SIZE + id));
  assert.ok(sizes.every((n) => n > 0), `every fixed buffer has a size: ${sizes}`);
  let peaksAfterFirst: number[] = [];
  try {
    for (let i = 0; i < 30; i++) {
      engine.connect();
      while (engine.state === codes.STATE_HANDSHAKING) { engine.poll(); await next(); }
      assert.equal(engine.state, codes.STATE_CONNECTED, `handshake ${i}: ${engine.failure().message}`);
      const text = `round ${String(i).padStart(2, "0")}`;  // same length each time
      assert.equal(engine.write(Buffer.from(text)), text.length);
      let reply: Buffer | null = null;
      for (let t = 0; t < 40 && reply === null; t++) { await next(); reply = engine.read(); }
      assert.equal(reply?.toString(), text);
      engine.close();
      assert.equal(engine.state, codes.STATE_CLOSED);
      const dirty = overwritten(memory, staticEnd, memory.length);
      written.push(dirty.length);
      assert.deepEqual(dirty.slice(0, 8), [], `handshake ${i} wrote above the static end (${staticEnd}); first addresses shown`);
      assert.equal(engine.info(codes.INFO_HEAP_TOP), heapTop, `heap top moved after handshake ${i}`);
      assert.equal(engine.info(codes.INFO_MEMORY_PAGES), pages, `memory grew after handshake ${i}`);
      assert.equal(engine.wasm.memory.buffer, memoryBuffer, "the memory was replaced (grown)");
      if (i === 0) peaksAfterFirst = peaks();
    }
  } finally {
    socket.close();
  }
  assert.equal(written.length, 30);
  assert.equal(written[29], written[0], "the same after handshake 1 and after handshake 30");
  // Bytes used in each fixed buffer: the same peak after 1 and after 30 handshakes, inside its size.
  const last = peaks();
  assert.deepEqual(last, peaksAfterFirst, "a fixed buffer's use grew from handshake 1 to 30");
  regions.forEach((id) => assert.ok(last[id] <= sizes[id], `region ${id}: peak ${last[id]} over its ${sizes[id]} bytes`));
  for (const id of [codes.REGION_TX_DATAGRAM, codes.REGION_FLIGHT, codes.REGION_REASSEMBLY, codes.REGION_APP_QUEUE]) {
    assert.ok(last[id] > 0, `region ${id} was used and its use measured`);
  }
  process.stderr.write(`memory: fixed buffers peak/size ${regions.map((id) => `${last[id]}/${sizes[id]}`).join(", ")}\n`);
  process.stderr.write(`memory: static end ${staticEnd}; ${unused} bytes above it painted, ${written[29]} overwritten after 30 handshakes\n`);
});
