// The repository stands alone (issue 10): no file points outside it, every relative link in the
// documentation resolves inside it, and the published vectors in test/vectors/ are the upstream
// bytes their README says they are (git blob ids of the Wycheproof files, as C2SP/wycheproof has them).
import { describe, it, expect } from "vitest";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The repository's files: git's list when this is a checkout, else a walk that skips what git ignores. */
function repositoryFiles(): string[] {
  if (existsSync(join(root, ".git"))) {
    return execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" }).split("\n").filter((f) => f !== "" && existsSync(join(root, f)));
  }
  const skip = new Set(["node_modules", "build", "var", ".git"]);
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (skip.has(e.name)) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(root, p));
    }
  };
  walk(root);
  return out;
}

const files = repositoryFiles();
/** Vendored data and license texts are what their sources published; only the project's own files are checked for references. */
const ownText = files.filter((f) => /\.(ts|js|json|md|sh)$|^\.ci\/run$/.test(f) && !f.startsWith("test/vectors/") && f !== "package-lock.json");

describe("the repository refers to nothing outside it", () => {
  it("lists the project's own files (the check below has something to check)", () => {
    expect(ownText).toContain("README.md");
    expect(ownText).toContain("docs/ARCHITECTURE.md");
    expect(ownText.length).toBeGreaterThan(100);
  });

  it("no file names a folder beside the clone or a path of the machine it was written on", () => {
    // This file spells the patterns in pieces so that it does not match itself.
    const outside = [["..", "/shared"].join(""), ["/work", "/"].join(""), ["DESIGN", ".md"].join("")];
    const hits: string[] = [];
    for (const f of ownText) {
      const lines = readFileSync(join(root, f), "utf8").split("\n");
      lines.forEach((line, i) => {
        for (const p of outside) if (line.includes(p)) hits.push(`${f}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });

  it("every relative link in the Markdown documents resolves to a file of the repository", () => {
    const broken: string[] = [];
    for (const f of files.filter((x) => x.endsWith(".md") && !x.startsWith("test/vectors/licenses/"))) {
      const text = readFileSync(join(root, f), "utf8");
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1].split("#")[0];
        if (target === "" || /^[a-z]+:/i.test(target)) continue; // anchors and URLs
        const abs = resolve(root, dirname(f), target);
        if (!abs.startsWith(root + sep) || !existsSync(abs)) broken.push(`${f}: ${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe("test/vectors holds the published vectors", () => {
  const dir = join(root, "test", "vectors");
  const readme = readFileSync(join(dir, "README.md"), "utf8");

  it("every Wycheproof file is the upstream blob its README names (copied unchanged)", () => {
    const rows = [...readme.matchAll(/^\| `(wycheproof\/[a-z0-9_]+\.json)` \| [^|]+\| (\d+) \| `([0-9a-f]{8})` \|/gm)];
    expect(rows.map((r) => r[1]).sort()).toEqual(readdirSync(join(dir, "wycheproof")).filter((f) => f.endsWith(".json")).map((f) => `wycheproof/${f}`).sort());
    for (const [, file, size, blob] of rows) {
      const bytes = readFileSync(join(dir, file));
      expect(bytes.length, file).toBe(Number(size));
      const gitBlob = createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
      expect(gitBlob.slice(0, 8), file).toBe(blob);
    }
  });

  it("every source's license file the README names is present", () => {
    const named = new Set([...readme.matchAll(/`((?:licenses|wycheproof)\/[^`]*(?:LICEN[CS]E|COPYING|License|Licence)[^`]*)`/g)].map((m) => m[1]));
    expect(named.size).toBeGreaterThan(10);
    for (const f of named) expect(existsSync(join(dir, f)) && statSync(join(dir, f)).size > 0, f).toBe(true);
    // ...and every license file in licenses/ is accounted for in the README.
    for (const f of readdirSync(join(dir, "licenses"))) expect(named.has(`licenses/${f}`), f).toBe(true);
  });
});
