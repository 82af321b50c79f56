#!/usr/bin/env python3
"""Runs every command the tutorial shows and checks the output it quotes.

In docs/tutorial/*.md, a ```sh block is run (from a scratch directory in which `build`
points at the build directory and `docs` at a scratch copy, so nothing in the checkout
changes). If a ```text block follows it, every non-empty line of that block must appear
in the commands' output, exactly; a line starting with "~ " is a regular expression
instead. A ```sh block that follows a line "<!-- not run -->" is skipped (installation
steps, long runs). Usage: tutorial_check.py SOURCE_DIR BUILD_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```(\w*)\s*$")


def blocks(text):
    """Yields (kind, lines, skipped) for each fenced block."""
    lines = text.splitlines()
    i = 0
    previous = ""
    while i < len(lines):
        match = FENCE.match(lines[i])
        if match:
            kind = match.group(1)
            body = []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            yield kind, body, previous.strip() == "<!-- not run -->"
            previous = ""
        elif lines[i].strip():
            previous = lines[i]
        i += 1


def main():
    source, build = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    failures = 0
    checked = 0
    with tempfile.TemporaryDirectory() as scratch:
        os.symlink(build, os.path.join(scratch, "build"))
        shutil.copytree(os.path.join(source, "docs"), os.path.join(scratch, "docs"))
        for name in sorted(os.listdir(os.path.join(source, "docs", "tutorial"))):
            if not name.endswith(".md"):
                continue
            text = open(os.path.join(source, "docs", "tutorial", name), encoding="utf-8").read()
            output = None
            for kind, body, skipped in blocks(text):
                if kind == "sh":
                    output = None
                    if skipped:
                        continue
                    command = "\n".join(body)
                    result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", command], cwd=scratch, capture_output=True, text=True,
                                            timeout=900)
                    output = result.stdout + result.stderr
                    if result.returncode != 0:
                        print(f"{name}: `{command}` exited {result.returncode}:\n{output[-2000:]}")
                        failures += 1
                elif kind == "text" and output is not None:
                    for line in body:
                        if not line.strip():
                            continue
                        checked += 1
                        if line.startswith("~ "):
                            found = re.search(line[2:], output, re.MULTILINE) is not None
                        else:
                            found = line.strip() in output
                        if not found:
                            print(f"{name}: the tutorial quotes a line the program did not print:\n  {line}")
                            failures += 1
    print(f"tutorial: {checked} quoted lines checked, {failures} problems")
    if checked == 0:
        print("tutorial: no quoted lines found: the check checked nothing")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
