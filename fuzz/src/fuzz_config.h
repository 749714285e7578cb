/*
 * The fixed configuration of the fuzzed client: credentials, the random seed and the start
 * of the fake clock. fuzz/record-seeds.mjs reads this file too (one source of truth), so a
 * recorded seed and a replay by the harness see the same client.
 *
 * These keys are TEST KEYS for fuzzing only; they protect nothing.
 */
#ifndef FUZZ_CONFIG_H
#define FUZZ_CONFIG_H

#define FUZZ_PSK_IDENTITY "fuzz-device"
#define FUZZ_PSK_HEX "8f1e2d3c4b5a69788796a5b4c3d2e1f0"
#define FUZZ_SERVER_PRIVATE_HEX "232ce5d931cfce80bd7398bdd2be947a33461edf259f1a758a949cc6c4e44176"
#define FUZZ_SERVER_POINT_HEX \
  "0473807a181319bb5e6da845ee56a23aa4fd31d61f63874af414db289eecd701b03a244a094e976f995af25ea45c066f022ed460864fe6a2c38425146c0e583b26"
/* The DER of a P-256 SubjectPublicKeyInfo up to its point (RFC 5480). */
#define FUZZ_SPKI_PREFIX_HEX "3059301306072a8648ce3d020106082a8648ce3d030107034200"
/* SHA-256 of the server's SubjectPublicKeyInfo (the recorder checks it). */
#define FUZZ_SERVER_SPKI_SHA256_HEX "54a08dcbd1e8ffcc0e625339269bc6594a97d9b890b02272f84650b648205fa4"
#define FUZZ_CLIENT_PRIVATE_HEX "edf1dd4adecf32076905a7f1ae79a93d9eb19dd06e3d849dfdb7169f708be798"
#define FUZZ_SNI "fuzz.example"
/* The der target verifies signatures of SHA-256 of this by the server key. */
#define FUZZ_SIGNED_MESSAGE "fuzz: the message the server key signed"

/* hal.random: a splitmix64 stream from this seed, little-endian bytes, one stream per run. */
#define FUZZ_RANDOM_SEED 0x44544c5346555a5aULL
/* hal.clock_ms at connect; only the input's ADVANCE operations move it. */
#define FUZZ_CLOCK_START 1000u
/* The initial retransmission timer (ms) the harness configures. */
#define FUZZ_RTO_MS 1000
/* Options of the flags byte (client_input.h: FLAG_SMALL_PMTU). */
#define FUZZ_SMALL_PMTU 160
/* FLAG_SESSION_FEATURES: our HeartbeatRequest interval (ms). */
#define FUZZ_HEARTBEAT_INTERVAL_MS 5000

#endif /* FUZZ_CONFIG_H */
