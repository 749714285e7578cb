// Big-endian loads and stores for wire formats.

@inline export function get8(p: usize): i32 { return <i32>load<u8>(p); }
@inline export function get16(p: usize): i32 {
  return (<i32>load<u8>(p) << 8) | <i32>load<u8>(p + 1);
}
@inline export function get24(p: usize): i32 {
  return (<i32>load<u8>(p) << 16) | (<i32>load<u8>(p + 1) << 8) | <i32>load<u8>(p + 2);
}
// 48-bit record sequence number.
@inline export function get48(p: usize): u64 {
  return (<u64>get16(p) << 32) | <u64>((<u32>get16(p + 2) << 16) | <u32>get16(p + 4));
}
@inline export function put8(p: usize, v: i32): void { store<u8>(p, <u8>v); }
@inline export function put16(p: usize, v: i32): void {
  store<u8>(p, <u8>(v >> 8)); store<u8>(p + 1, <u8>v);
}
@inline export function put24(p: usize, v: i32): void {
  store<u8>(p, <u8>(v >> 16)); store<u8>(p + 1, <u8>(v >> 8)); store<u8>(p + 2, <u8>v);
}
@inline export function put48(p: usize, v: u64): void {
  put16(p, <i32>(v >> 32));
  put16(p + 2, <i32>(<u32>v >>> 16));
  put16(p + 4, <i32>(<u32>v & 0xffff));
}
