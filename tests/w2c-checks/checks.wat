;; The board translations' rewritten checks (boards/tools/w2c-fixed-memory.mjs,
;; w2c-call-depth.mjs) still trap: make w2c-checks-test.
(module
  (memory (export "memory") 1)
  (func $deep (param i32) (result i32)
    (if (result i32) (local.get 0)
      (then (call $deep (i32.sub (local.get 0) (i32.const 1))))
      (else (i32.const 0))))
  (func (export "load") (param i32) (result i32) (i32.load offset=4 (local.get 0)))
  (func (export "store") (param i32) (i64.store offset=8 (local.get 0) (i64.const 1)))
  (func (export "recurse") (param i32) (result i32) (call $deep (local.get 0))))
