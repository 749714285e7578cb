// Runs the dtls-client CLI as a user would.
import { spawn } from "node:child_process";
import { CLI } from "./paths";

export interface CliResult { code: number | null; stdout: string; stderr: string; json?: any }

export function runCli(args: string[], timeoutMs = 20000): Promise<CliResult> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    p.stdout.on("data", (d) => { stdout += d; });
    p.stderr.on("data", (d) => { stderr += d; });
    const t = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
    p.stdin.end();
    p.on("exit", (code) => {
      clearTimeout(t);
      let json: any;
      if (args.includes("--json")) { try { json = JSON.parse(stdout.trim().split("\n").pop() ?? ""); } catch { /* left undefined */ } }
      resolve({ code, stdout, stderr, json });
    });
  });
}
