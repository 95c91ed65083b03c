"""The text-line recognition formats: a folder with labels.tsv, the IAM database, a JSONL manifest.

Every reader returns records {"source", "image_path", "target", "where"} ("source" = the image
path, what evaluation reports show; "where" = file:line, for messages); images are opened
later (`images.load_image`), so a bad image is one skipped line, not a failed listing. A
malformed index line fails naming its file and line.

- folder: `labels.tsv` in the folder (or the .tsv given directly), lines of
  `relative/path.png<TAB>transcription`, paths relative to the .tsv's folder.
- IAM (Marti & Bunke 2002): the root holding `ascii/lines.txt` and `lines/`. Each line of
  lines.txt is `a01-000u-00 ok 154 19 408 746 1661 89 A|MOVE|to|stop|Mr.|Gaitskell|from`:
  line id, segmentation status (ok/err), gray level, number of components, bounding box
  x y w h, and the transcription with `|` between words (turned into spaces). The image is
  `lines/a01/a01-000u/a01-000u-00.png`. `#` lines are comments. A split is the whole file, or
  the line ids listed in a split file (one id per line, as in IAM's task definitions).
- JSONL: objects with "image" (path, relative to the manifest's folder) and "text".
"""
from __future__ import annotations

from pathlib import Path

from plugins.textio import existing_file, read_jsonl, read_lines
from seqcore.errors import DataError

IAM_FIELDS = 9  # id, status, gray level, components, x, y, w, h, transcription


def _record(image: Path, text: str, where: str) -> dict:
    return {"source": str(image), "image_path": str(image), "target": text, "where": where}


def read_labels_tsv(path: str) -> list[dict]:
    tsv = Path(path).expanduser()
    tsv = tsv / "labels.tsv" if tsv.is_dir() else tsv
    existing_file(str(tsv), "OCR labels")
    records = []
    for number, line in enumerate(read_lines(str(tsv), "OCR labels"), 1):
        if not line.strip():
            continue
        if "\t" not in line:
            raise DataError(f"{tsv}:{number}: expected 'relative/path<TAB>transcription'")
        relative, text = line.split("\t", 1)
        records.append(_record(tsv.parent / relative.strip(), text.strip(), f"{tsv}:{number}"))
    return records


def iam_image_path(root: Path, line_id: str) -> Path:
    """lines/a01/a01-000u/a01-000u-00.png for line a01-000u-00."""
    form, page = line_id.split("-")[0], "-".join(line_id.split("-")[:2])
    return root / "lines" / form / page / f"{line_id}.png"


def read_iam(root: str, split_file: str | None = None) -> list[dict]:
    base = Path(root).expanduser()
    index = base / "ascii" / "lines.txt"
    existing_file(str(index), "IAM lines.txt")
    wanted = None
    if split_file:
        wanted = {line.strip() for line in read_lines(split_file, "IAM split file") if line.strip()}
    records = []
    for number, line in enumerate(read_lines(str(index), "IAM lines.txt"), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split(" ", IAM_FIELDS - 1)
        if len(fields) < IAM_FIELDS or fields[1] not in ("ok", "err") or not all(f.isdigit() for f in fields[2:8]) \
                or fields[0].count("-") != 2:
            raise DataError(f"{index}:{number}: expected 'a01-000u-00 ok|err graylevel components x y w h "
                            f"word|word|...'")
        if wanted is not None and fields[0] not in wanted:
            continue
        records.append(_record(iam_image_path(base, fields[0]), fields[8].replace("|", " "), f"{index}:{number}"))
    return records


def read_manifest(path: str) -> list[dict]:
    manifest = existing_file(path, "OCR manifest")
    records = []
    for number, item in read_jsonl(path, "OCR manifest"):
        if not isinstance(item.get("image"), str) or not isinstance(item.get("text"), str):
            raise DataError(f'{path}:{number}: expected string fields "image" and "text"')
        records.append(_record(manifest.parent / item["image"], item["text"].strip(), f"{path}:{number}"))
    return records


def read_split(path: str, iam_split_file: str | None = None) -> list[dict]:
    """Records of one split's `path`: an IAM root, a folder or .tsv with labels, or a .jsonl manifest."""
    location = Path(path).expanduser()
    if (location / "ascii" / "lines.txt").is_file():
        return read_iam(path, iam_split_file)
    if location.suffix == ".jsonl":
        return read_manifest(path)
    if location.is_dir() or location.suffix == ".tsv":
        return read_labels_tsv(path)
    raise DataError(f"{path}: not an OCR dataset (an IAM root with ascii/lines.txt, a folder with labels.tsv, "
                    f"a .tsv or a .jsonl manifest)")
