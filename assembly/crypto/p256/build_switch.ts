// Build switch: `asc --use P256_WASM3=1` selects the field code shaped for the wasm3
// interpreter (fewer interpreter operations: gen/gen.mjs, genPw3 and linSwar); unset or 0,
// the code shaped for wasm2c/GCC. Both compute the same values: the stored limbs are the same.
// @ts-ignore: decorator; isDefined is a compile-time builtin, P256_WASM3 comes from --use
@inline export const FE_WASM3: bool = isDefined(P256_WASM3) ? P256_WASM3 != 0 : false;
