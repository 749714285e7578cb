// The PSK-only build (build/dtls-psk.wasm): the same API, compiled with ECDHE_ENABLED=0
// (asconfig.json target "psk") so the public-key code is left out.
export * from "./index";
