"""Shared by the modules that write ONNX graphs into the engine as TypeScript modules (enlarge.py, mask.py): the
bytes as a literal, and writing the module or checking it is up to date."""
from __future__ import annotations

import argparse
import base64
import os


def buffer_literal(data: bytes) -> str:
    encoded = base64.b64encode(data).decode()
    lines = [encoded[i:i + 100] for i in range(0, len(encoded), 100)]
    if len(lines) > 200:
        # A long chain of '+' is a binary expression thousands deep, which parsers walk recursively (the security
        # scan's overflowed its stack on the texture graph's): an array's join stays flat.
        return 'Buffer.from(\n  [\n' + '\n'.join(f"    '{line}'," for line in lines) + "\n  ].join(''),\n  'base64',\n);\n"
    return 'Buffer.from(\n' + '\n'.join(f"  '{line}' +" for line in lines)[:-2] + ",\n  'base64',\n);\n"


def write_or_check(out: str, text: str, doc: str, module: str) -> int:
    """The module's command line: writes `text` to `out`, or with --check exits 1 when `out` differs from it."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--check', action='store_true', help='exit 1 if the file differs from what would be written')
    args = parser.parse_args()
    name = os.path.basename(out)
    if args.check:
        with open(out, encoding='utf-8') as f:
            same = f.read() == text
        print(f'{name} is up to date' if same else f'{name} differs: run `cd native-models && /usr/bin/python3 -m {module}`')
        return 0 if same else 1
    with open(out, 'w', encoding='utf-8') as f:
        f.write(text)
    print(f'wrote {os.path.relpath(out)}')
    return 0
