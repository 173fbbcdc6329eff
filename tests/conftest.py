import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_REAL = REPO.parent / "shared" / "real"


@pytest.fixture(scope="session")
def real_records():
    """The real gold articles beside the repo (../shared/real); skipped where absent."""
    files = sorted(SHARED_REAL.glob("*.jsonl"))
    if not files:
        pytest.skip("../shared/real is not beside this checkout")
    return [json.loads(line) for f in files for line in f.open(encoding="utf-8") if line.strip()]


@pytest.fixture(scope="session")
def nlp():
    from kcnlp.pipeline import default_pipeline

    return default_pipeline()
