// Build switch: `asc --use P256_WASM3=1` selects the field code shaped for the wasm3
// interpreter (fewer interpreter operations: gen/gen.mjs, genPw3); unset or 0, the code
// shaped for wasm2c/GCC. Both compute the same values: the outputs are byte-identical.
// @ts-ignore: isDefined is a compile-time builtin; P256_WASM3 comes from --use when given
export const FE_WASM3: bool = isDefined(P256_WASM3) ? P256_WASM3 != 0 : false;
