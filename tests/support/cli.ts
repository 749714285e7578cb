// Runs the client programs (dtls-client, dtls-posix, dtls_wasm3.py) as a user would.
import { spawn, execFileSync } from "node:child_process";
import { CLI, ROOT } from "./paths";

/** Builds dtls-posix and the wasm3 harness's venv (paths.ts POSIX, WASM3_*), as make would. */
export function buildPrograms(): void {
  execFileSync("make", ["--no-print-directory", "-s", "posix", "build/venv-wasm3/.installed"],
    { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"], timeout: 600000 });
}

export interface CliResult { code: number | null; stdout: string; stderr: string; json?: any }

/** Bounds, not timing assertions: for handshakes that fail in silence (the whole budget
 *  runs out), and for those that end with an alert (they end at the alert). */
export const QUICK_FAIL = ["--rto", "400", "--timeout", "3000"];
export const ALERT_BOUND = ["--rto", "1000", "--timeout", "10000"];

/** Runs cmd with stdin closed; json is the last stdout line parsed, when it is JSON. */
export function runProgram(cmd: string, args: string[], timeoutMs = 20000): Promise<CliResult> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    p.stdout.on("data", (d) => { stdout += d; });
    p.stderr.on("data", (d) => { stderr += d; });
    const t = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
    p.on("exit", (code) => {
      clearTimeout(t);
      let json: any;
      try { json = JSON.parse(stdout.trim().split("\n").pop() ?? ""); } catch { /* not JSON: left undefined */ }
      resolve({ code, stdout, stderr, json });
    });
  });
}

export function runCli(args: string[], timeoutMs = 20000): Promise<CliResult> {
  return runProgram(process.execPath, [CLI, ...args], timeoutMs);
}
