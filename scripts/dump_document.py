"""Print a Document as read: meta, notes, text blocks and tables as grids.

Usage: python scripts/dump_document.py FILE [--max-text N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.model import Table, TextBlock  # noqa: E402
from pipeline.readers import ReadError, read_document  # noqa: E402


def _grid(table: Table) -> str:
    """Render the grid with padded columns; spanned (repeated) cells are marked with ^."""
    texts = [[(("^" if c.spanned else "") + c.text) or "·" for c in row] for row in table.rows]
    n_cols = max((len(r) for r in texts), default=0)
    widths = [
        min(24, max((_width(r[i]) for r in texts if i < len(r)), default=1)) for i in range(n_cols)
    ]
    out = []
    for r, row in enumerate(texts):
        cells = [_pad(_clip(t, widths[i]), widths[i]) for i, t in enumerate(row)]
        out.append(f"{r:>3} | " + " | ".join(cells))
    return "\n".join(out)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _clip(text: str, width: int) -> str:
    while _width(text) > width:
        text = text[:-2] + "…"
    return text


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--max-text", type=int, default=0, help="clip text blocks to N chars (0 = all)")
    args = ap.parse_args()
    try:
        doc = read_document(args.file)
    except ReadError as exc:
        print(f"ReadError: {exc}", file=sys.stderr)
        return 1
    print(f"# {doc.path}  format={doc.format}  blocks={len(doc.blocks)}  tables={len(doc.tables)}")
    for key, value in doc.meta.items():
        print(f"meta {key}: {value}")
    for note in doc.notes:
        print(f"note: {note}")
    for i, block in enumerate(doc.blocks):
        if isinstance(block, TextBlock):
            text = block.text
            if args.max_text and len(text) > args.max_text:
                text = text[: args.max_text] + " …"
            print(f"\n--- block {i}: text page={block.page} line={block.line}\n{text}")
        else:
            size = f"{block.n_rows}x{len(block.rows[0]) if block.rows else 0}"
            print(f"\n--- block {i}: table #{block.index} page={block.page} {size}")
            print(_grid(block))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
