// DESIGN.md memory rule: many handshakes in one module instance leave the heap top and
// memory.size() where they were, and the linear memory buffer is never replaced.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import * as codes from "../host/codes";
import { DtlsEngine } from "../host/engine";
import { startGnuTls, PSK_HEX, PSK_IDENTITY, ServerProcess } from "./support/servers";

const servers: ServerProcess[] = [];
after(async () => { for (const s of servers) await s.stop(); });

test("30 handshakes and echoes in one instance: heap top and memory size never move", async () => {
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
  const heapTop = engine.info(codes.INFO_HEAP_TOP);
  const pages = engine.info(codes.INFO_MEMORY_PAGES);
  assert.equal(pages, 1);
  try {
    for (let i = 0; i < 30; i++) {
      engine.connect();
      while (engine.state === codes.STATE_HANDSHAKING) { engine.poll(); await next(); }
      assert.equal(engine.state, codes.STATE_CONNECTED, `handshake ${i}: ${engine.failure().message}`);
      const text = `round ${i}`;
      assert.equal(engine.write(Buffer.from(text)), text.length);
      let reply: Buffer | null = null;
      for (let t = 0; t < 40 && reply === null; t++) { await next(); reply = engine.read(); }
      assert.equal(reply?.toString(), text);
      engine.close();
      assert.equal(engine.state, codes.STATE_CLOSED);
      assert.equal(engine.info(codes.INFO_HEAP_TOP), heapTop, `heap top moved after handshake ${i}`);
      assert.equal(engine.info(codes.INFO_MEMORY_PAGES), pages, `memory grew after handshake ${i}`);
      assert.equal(engine.wasm.memory.buffer, memoryBuffer, "the memory was replaced (grown)");
    }
  } finally {
    socket.close();
  }
});
