"""Slow: the command line over random mixed folders and malformed JSONL. Whatever the inputs,
records in = records out + records reported, and no run prints a traceback."""
import json
import os
import random
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

GOOD_TEXTS = ["Năm 2023, Trung tâm Khuyến công Nam Định tổ chức 2 lớp đào tạo nghề với kinh phí 180 triệu đồng.",
              "Hỗ trợ 100 triệu đồng cho HTX Mây tre Phú Vinh.", "", "Kinh phí 50 triệu đồng.\r\n\u00a0", "🎉 hội chợ 2024"]
BAD_LINES = ["not json", "[1, 2]", '{"id": "x"}', '{"text": 5}', '{"text": "a\\ud800b"}', '{"text": "broken', "\x00"]


def _folder(rng: random.Random, path) -> tuple[int, int]:
    """Write a random folder; returns (good records, bad records) it holds."""
    good = bad = 0
    for k in range(rng.randint(1, 6)):
        kind = rng.choice(["txt", "TXT", "jsonl", "jsonl", "badtxt", "link", "other"])
        name = path / f"f{k}.{kind.lower() if kind not in ('TXT', 'badtxt', 'link', 'other') else {'TXT': 'TXT', 'badtxt': 'txt', 'link': 'txt', 'other': 'csv'}[kind]}"
        if kind in ("txt", "TXT"):
            name.write_text(rng.choice(GOOD_TEXTS), encoding="utf-8")
            good += 1
        elif kind == "badtxt":
            name.write_bytes(b"\xff\xfe not utf-8 \x81")
            bad += 1
        elif kind == "link":
            os.symlink(path / "nowhere.txt", name)
            bad += 1
        elif kind == "other":
            name.write_text("ignored", encoding="utf-8")
        else:
            lines = []
            for n in range(rng.randint(0, 8)):
                if rng.random() < 0.3:
                    lines.append(rng.choice(BAD_LINES))
                    bad += 1
                else:
                    lines.append(json.dumps({"id": f"{k}-{n}", "text": rng.choice(GOOD_TEXTS)}, ensure_ascii=False))
                    good += 1
            name.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return good, bad


@pytest.mark.parametrize("seed", range(12))
def test_records_in_equal_records_out_plus_records_reported(tmp_path, seed):
    rng = random.Random(seed)
    good, bad = _folder(rng, tmp_path)
    args = ["--skip-errors"] + rng.choice([[], ["--workers", "2", "--batch-size", "3"]])
    run = subprocess.run([sys.executable, "-m", "kcnlp.cli", "extract", str(tmp_path), *args],
                         capture_output=True, text=True, timeout=600)
    assert "Traceback" not in run.stderr, run.stderr
    written = [line for line in run.stdout.splitlines() if line.strip()]
    reported = [line for line in run.stderr.splitlines() if line.startswith("kcnlp: [E")]
    assert len(written) == good and len(reported) == bad, (good, bad, run.stderr)
    assert run.returncode == (1 if bad else 0)
