// The default fetch for client_certificate_url (RefServerIo.fetch).
import { request } from "node:http";

/** GET over http (the test's local server), the whole body. */
export function httpGet(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (d: Buffer) => parts.push(d));
      res.on("end", () => (res.statusCode === 200 ? resolve(Buffer.concat(parts)) : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on("error", reject);
    });
    req.setTimeout(5000, () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}
