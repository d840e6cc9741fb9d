#!/usr/bin/env python3
"""Applies one mutant (a .mutant file) to copies of the real sources in a scratch directory.

Usage: apply.py MUTANT REPO_ROOT SCRATCH_DIR   -> prints the mutated files (one per line) under
SCRATCH_DIR/src; exit 3 (STALE) if a snippet is not found exactly once in its file, 2 on a bad file.

Mutant file format (see "Mutants of the real classes" in stress-tests/README.md):
  name: ...            one word
  invariant: ...       the invariant it breaks (a name of the package-info invariant lists)
  tests: a b           jcstress tests (relative to io.github.buffercore.stress.) that must catch it
  quick: yes|no        part of the quick table that `mvn verify` runs
  what: ...            one line: the bug, in words
  file: path           a source file of the repository (repeatable; hunks below apply to it)
  <<<<                 start of the exact snippet to find (unique in the file)
  ====                 end of the snippet, start of its replacement
  >>>>                 end of the replacement
"""
import os, sys


def parse(path):
    meta, hunks, current_file = {}, [], None
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip() == "<<<<":
            find, repl, i = [], [], i + 1
            while lines[i].strip() != "====":
                find.append(lines[i]); i += 1
            i += 1
            while lines[i].strip() != ">>>>":
                repl.append(lines[i]); i += 1
            if current_file is None:
                raise ValueError("hunk before any 'file:' line")
            hunks.append((current_file, "\n".join(find), "\n".join(repl)))
        elif ":" in line and not line.startswith("#") and line.strip():
            key, value = line.split(":", 1)
            key, value = key.strip(), value.strip()
            if key == "file":
                current_file = value
            else:
                meta[key] = value
        i += 1
    for key in ("name", "invariant", "tests", "quick", "what"):
        if key not in meta:
            raise ValueError("missing '%s:'" % key)
    if not hunks:
        raise ValueError("no hunk")
    return meta, hunks


def main():
    mutant, root, scratch = sys.argv[1:4]
    try:
        meta, hunks = parse(mutant)
    except (ValueError, IndexError) as e:
        print("BAD %s: %s" % (mutant, e), file=sys.stderr)
        sys.exit(2)
    texts = {}
    for rel, find, repl in hunks:
        if rel not in texts:
            texts[rel] = open(os.path.join(root, rel), encoding="utf-8").read()
        count = texts[rel].count(find)
        if count != 1:
            print("STALE %s: snippet found %d times in %s:\n%s" % (meta["name"], count, rel, find),
                  file=sys.stderr)
            sys.exit(3)
        texts[rel] = texts[rel].replace(find, repl)
    for rel, text in texts.items():
        out = os.path.join(scratch, "src", rel)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        open(out, "w", encoding="utf-8").write(text)
        print(out)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--meta":
        meta, _ = parse(sys.argv[2])
        print("\t".join(meta[k] for k in ("name", "invariant", "tests", "quick", "what")))
    else:
        main()
