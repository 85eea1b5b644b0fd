"""A Hugging Face datasets cache written from MMLU-layout CSVs, in the layout ``load_dataset``
reads offline (datasets 5.2: the *prepared* copy ``<org>___<name>/<config>/<version>/<hash>/``
with ``dataset_info.json`` and ``<name>-<split>.arrow``; the hub cache is not read offline).

Each config is prepared by datasets' own parquet builder from parquet files with cais/mmlu's
columns (question, subject, choices, answer as an index), then filed under the hub name."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

LETTERS = "ABCD"
SPLITS = (("test", "test"), ("validation", "val"), ("dev", "dev"))  # cais/mmlu split <- CSV folder
REVISION = "0" * 40


def write_mmlu_cache(csv_root: Path, subjects: list[str], cache_dir: Path, work: Path,
                     repo: str = "cais/mmlu") -> Path:
    """Prepared copies of ``repo``'s configs ``subjects`` under ``cache_dir`` (HF_DATASETS_CACHE)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from datasets.packaged_modules.parquet.parquet import Parquet

    org, name = repo.split("/")
    for subject in subjects:
        files = {}
        for split, folder in SPLITS:
            path = csv_root / "data" / folder / f"{subject}_{folder}.csv"
            if not path.is_file():
                continue
            rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
            table = pa.table({"question": [r[0] for r in rows], "subject": [subject] * len(rows),
                              "choices": [r[1:5] for r in rows],
                              "answer": [LETTERS.index(r[5].strip().upper()) for r in rows]})
            files[split] = str(work / subject / f"{split}-00000-of-00001.parquet")
            Path(files[split]).parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(table, files[split])
        builder = Parquet(cache_dir=str(work / "prepared"), data_files=files)
        builder.download_and_prepare()
        dest = cache_dir / f"{org}___{name}" / subject / "0.0.0" / REVISION
        shutil.copytree(builder.cache_dir, dest, dirs_exist_ok=True)
        info = json.loads((dest / "dataset_info.json").read_text("utf-8"))
        info.update(config_name=subject, dataset_name=name)
        (dest / "dataset_info.json").write_text(json.dumps(info), "utf-8")
        for arrow in dest.glob("parquet-*.arrow"):
            arrow.rename(dest / arrow.name.replace("parquet-", f"{name}-", 1))
    return cache_dir
