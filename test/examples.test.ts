// `npm start` prints the note exactly as its Python twin printed it under torch 1.13.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

test("examples/note.ts prints the torch transcript line for line", () => {
  const output = execFileSync(process.execPath, ["--import", "tsx", "examples/note.ts"],
    { cwd: root, encoding: "utf8" });
  const expected = readFileSync(new URL("../examples/note.transcript", import.meta.url), "utf8");
  const got = output.split("\n");
  const want = expected.split("\n");
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    assert.equal(got[i], want[i], `line ${i + 1} differs`);
  }
});
