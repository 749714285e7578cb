// Processing time: the client's compute charged in virtual time, from the instruction
// counts measured on the emulated Cortex-M4. One place for these constants; their source is
// docs/BENCHMARKS.md, section "Boards" (make board-figures, 2026-11-27, build/dtls.wasm of
// 41775 bytes; openssl/gnutls servers with HelloVerifyRequest) and section "Cortex-M4" (make
// bench-m4: P-256 operations). Rerun those and update the figures here when the core moves.
import { Accelerator, AccelExports, loadAccelerator } from "../accel";

/** Millions of instructions of one handshake, from `dtls_connect` to connected (Boards table,
 *  "handshake (M instr.)" column, module "full" / "full-hw"). */
export const HANDSHAKE_MINSTR: Record<string, { psk: number; rpk: number }> = {
  "wasm2c": { psk: 1.14, rpk: 20.38 },
  "wasm3": { psk: 6.64, rpk: 95.57 },
  "wasm2c-hw": { psk: 1.61, rpk: 12.86 },
  "wasm3-hw": { psk: 5.06, rpk: 17.44 },
};

/** UDP payload bytes of those handshakes, sent + received (Boards table, full handshakes). */
export const HANDSHAKE_BYTES = { psk: 290 + 247, rpk: 627 + 584 };

/** Instructions per P-256 operation (Cortex-M4 table, -Os as the board images): the weights
 *  that split a handshake's public-key work between the operations. Validation (a point on
 *  the curve: a few field multiplications) was not measured and weighs nothing. */
export const P256_WEIGHTS: Record<P256Op, number> = {
  public: 2773048, ecdh: 6335055, sign: 3449901, verify: 6312868, validate: 0,
};

/** The parts' clocks. Instructions are charged as cycles (1 per cycle: a lower bound on the
 *  time; flash wait states make a real part slower). */
export const CPU_MHZ: Record<string, number> = { nrf52840: 64, esp32: 240 };

export type P256Op = "public" | "ecdh" | "sign" | "verify" | "validate";

/** The operations of one mutual raw-public-key handshake, as the client calls them through
 *  hal.p256_* (ephemeral key, ECDH, CertificateVerify, the ServerKeyExchange's signature). */
const RPK_HANDSHAKE_OPS: P256Op[] = ["public", "ecdh", "sign", "verify"];

export interface CpuModel {
  name: string;
  /** ms per byte of datagram the client receives or sends (record protection, transcript). */
  msPerByte: number;
  /** ms per P-256 operation. */
  msPerOp: Record<P256Op, number>;
}

/** The model of a part ("nrf52840" or "esp32") running a backend ("wasm3", "wasm2c",
 *  "wasm3-hw", "wasm2c-hw"): a PSK handshake of the measured size costs exactly the measured
 *  instructions; in a raw-public-key handshake of the measured size, what the bytes do not
 *  explain is split between its P-256 operations by their weights. */
export function cpuModel(part: string, backend: string): CpuModel {
  const mhz = CPU_MHZ[part];
  const counts = HANDSHAKE_MINSTR[backend];
  if (mhz === undefined) throw new Error(`unknown part ${part} (${Object.keys(CPU_MHZ).join(", ")})`);
  if (counts === undefined) throw new Error(`unknown backend ${backend} (${Object.keys(HANDSHAKE_MINSTR).join(", ")})`);
  const perByte = (counts.psk * 1e6) / HANDSHAKE_BYTES.psk;
  const publicKey = counts.rpk * 1e6 - perByte * HANDSHAKE_BYTES.rpk;
  const weights = RPK_HANDSHAKE_OPS.reduce((s, op) => s + P256_WEIGHTS[op], 0);
  const ms = (instructions: number) => instructions / (mhz * 1e3);
  const msPerOp = Object.fromEntries(Object.entries(P256_WEIGHTS).map(([op, w]) => [op, ms((publicKey * w) / weights)])) as Record<P256Op, number>;
  return { name: `${part} ${backend}`, msPerByte: ms(perByte), msPerOp };
}

/** build/accel.wasm answering hal.p256_* (as --hal-p256), telling onOp which operation each
 *  call is (told apart by the lengths of its inputs and outputs, hal.ts). */
export class ChargingAccelerator extends Accelerator {
  constructor(exports: AccelExports, private onOp: (op: P256Op) => void) { super(exports); }

  static load(onOp: (op: P256Op) => void): ChargingAccelerator {
    return new ChargingAccelerator(loadAccelerator().exports, onOp);
  }

  override run(core: Uint8Array, ins: Array<[number, number]>, outs: Array<[number, number]>,
               call: (a: Accelerator, offs: number[]) => number): number {
    const op = opOf(ins.map(([, n]) => n).join(","), outs.map(([, n]) => n).join(","));
    if (op) this.onOp(op);
    return super.run(core, ins, outs, call);
  }
}

function opOf(ins: string, outs: string): P256Op | null {
  if (ins === "32" && outs === "65") return "public";
  if (ins === "32,65" && outs === "32") return "ecdh";
  if (ins === "32,32,32" && outs === "64") return "sign";
  if (ins === "65,32,64" && outs === "") return "verify";
  if (ins === "65" && outs === "") return "validate";
  return null; // AES (accelAes): part of the per-byte cost
}
