// Loads build/dtls.wasm with @assemblyscript/loader and gives its exports types.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { instantiateSync } from "@assemblyscript/loader";
import { createHal, HalOptions } from "./hal";

export interface DtlsExports {
  [name: string]: unknown;
  memory: WebAssembly.Memory;
  dtls_buffer(): number;
  dtls_buffer_size(): number;
  dtls_config_reset(): void;
  dtls_config_set(option: number, value: number): number;
  dtls_config_psk(identityLen: number, pskLen: number): number;
  dtls_config_sni(len: number): number;
  dtls_config_rpk(privateLen: number, pinLen: number): number;
  dtls_connect(): number;
  dtls_on_datagram(len: number): number;
  dtls_poll(): number;
  dtls_write(len: number): number;
  dtls_read(): number;
  dtls_session_export(): number;
  dtls_session_import(len: number): number;
  dtls_close(): number;
  dtls_state(): number;
  dtls_last_alert(): number;
  dtls_last_error(): number;
  dtls_info(key: number): number;
  /** X.509 builds only (build/dtls.wasm, build/dtls-cert-hw.wasm). */
  dtls_config_ca?(len: number): number;
  dtls_config_cert?(len: number): number;
  dtls_config_peer_name?(len: number): number;
  dtls_config_cert_url?(len: number): number;
}

export const DEFAULT_WASM = join(__dirname, "..", "..", "build", "dtls.wasm");

const compiled = new Map<string, WebAssembly.Module>();

export function loadModule(hal: HalOptions, wasmPath = DEFAULT_WASM): DtlsExports {
  let module = compiled.get(wasmPath);
  if (!module) {
    module = new WebAssembly.Module(new Uint8Array(readFileSync(wasmPath)));
    compiled.set(wasmPath, module);
  }
  let exports: DtlsExports | undefined;
  const memory = () => new Uint8Array(exports!.memory.buffer);
  const imports = { hal: createHal(memory, hal) } as any;
  exports = instantiateSync<Record<string, unknown>>(module, imports).exports as unknown as DtlsExports;
  return exports;
}
