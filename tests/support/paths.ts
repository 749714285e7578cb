// Where things are, from the compiled tests in dist/tests/.
import { join } from "node:path";
export const ROOT = join(__dirname, "..", "..", "..");
export const BUILD = join(ROOT, "build");
export const CLI = join(ROOT, "dist", "host", "cli.js");
