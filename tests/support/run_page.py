"""Run one documentation page's code blocks, in order, in this (fresh) interpreter.

Usage: python run_page.py BLOCKS.json   (written by tests/test_docs.py; cwd is a scratch folder)

python blocks run in one shared namespace; sh blocks run in bash (the interpreter's scripts
folder first on PATH, so ``python`` and ``lrsched`` are this environment's); blocks whose first
line is ``# file: PATH`` are written to PATH; json/toml/yaml blocks are parsed.
"""

import json
import os
import subprocess
import sys
import traceback
from pathlib import Path


def main() -> int:
    blocks = json.loads(Path(sys.argv[1]).read_text())
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    namespace = {"__name__": "__main__"}
    for block in blocks:
        where, lang, body = block["where"], block["lang"], block["body"]
        first = body.splitlines()[0] if body.strip() else ""
        try:
            if first.startswith("# file: "):
                path = Path(first.removeprefix("# file: ").strip())
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(body.split("\n", 1)[1])
            elif lang == "python":
                exec(compile(body, where, "exec", dont_inherit=True), namespace)
            elif lang in ("sh", "bash", "console"):
                subprocess.run(["bash", "-euo", "pipefail", "-c", body], check=True, env=env)
            elif lang == "json":
                json.loads(body)
            elif lang == "toml":
                import tomllib

                tomllib.loads(body)
            elif lang == "yaml":
                import yaml

                yaml.safe_load(body)
            else:
                raise ValueError(f"don't know how to run a {lang!r} block")
        except (Exception, SystemExit):  # noqa: BLE001 - report any failure of a block, then stop
            print(f"\n{where} ({lang}) failed:\n{body}", file=sys.stderr)
            traceback.print_exc()
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
