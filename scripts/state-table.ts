// Writes docs/STATE_TABLE.md: the client's response to every input in every handshake
// state, observed by tests/support/state-probe.ts (`make state-table`).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { observeAll, renderTable } from "../tests/support/state-probe";
import { observeEcdhe, renderEcdheTable } from "../tests/support/state-probe-ecdhe";

const HEADER = `# The client's state table

Every input in every state of the client, observed on build/dtls.wasm by
\`tests/support/state-probe.ts\` (regenerate with \`make state-table\`; \`tests/state-table.test.ts\`
fails when this file and the module disagree, and checks each cell against the response the
RFCs prescribe). A fresh client is brought to each state by a well-behaved scripted PSK server,
then gets one record of the state's epoch (epoch 0 before the server's ChangeCipherSpec,
epoch 1 from then on, sealed with the session's keys). \`wait_ticket\` is
\`wait_change_cipher_spec\` of a client with session tickets (OPT_TICKETS) whose server's
ServerHello announced a NewSessionTicket (RFC 5077 3.2) that has not come yet.

- \`sends X\`: what the client sent in answer (alerts decrypted where they are protected).
- \`→ state\`: the state the client moved to (\`failed\`: the connection ended).
- \`drop\`: the record was discarded and counted (\`records_dropped\`), nothing else changed:
  RFC 6347 4.1.2.7 for records, and out-of-place ChangeCipherSpec or application data, which
  an attacker can inject into an unauthenticated epoch.
- \`noted\`: a warning alert was recorded (\`dtls_last_alert\`), the connection goes on.
- \`delivered\`: application data handed to \`dtls_read\`.
- \`no response\`: nothing sent, no state change: a ServerKeyExchange accepted while the
  client waits for ServerHelloDone; a HelloRequest during the handshake (RFC 5246 7.4.1.1);
  handshake messages after the handshake (a retransmitted last flight of the server must
  not be acted on); anything at all once the connection has ended.

`;

const ECDHE = `
## The ECDHE_ECDSA server flight, message by message

With TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 and raw public keys (the client has no key of its
own here), the server's flight is Certificate, ServerKeyExchange, [CertificateRequest],
ServerHelloDone (RFC 5246 7.3, RFC 8422 s. 2). A fresh client is brought past ServerHello
and the first messages of that flight, made by \`tests/support/state-probe-ecdhe.ts\` with
node:crypto, then gets one input (epoch 0). The handshake state is \`wait_server_flight\`
throughout.

`;

const table = renderTable(observeAll());
const ecdhe = renderEcdheTable(observeEcdhe());
writeFileSync(join(__dirname, "..", "..", "docs", "STATE_TABLE.md"), HEADER + table + ECDHE + ecdhe);
process.stdout.write(table + "\n" + ecdhe);
