"""Extraction over a Hugging Face dataset gives the same records as extract()."""
import json

import pytest
from datasets import Dataset

import kcnlp

TEXTS = ["Năm 2022, tỉnh Nam Định chi 5 tỷ đồng cho đào tạo nghề.", "", "Hỗ trợ 2 lớp tập huấn cho 60 học viên.", None]


@pytest.mark.parametrize("num_proc", [None, 2])
def test_extract_dataset_matches_extract(num_proc):
    ds = Dataset.from_dict({"body": TEXTS, "n": list(range(len(TEXTS)))})
    out = kcnlp.extract_dataset(ds, text_column="body", num_proc=num_proc, batch_size=2)
    assert out.column_names == ["body", "n", "kcnlp_entities", "kcnlp_relations", "kcnlp_events"]
    for row, text in zip(out, TEXTS):
        rec = kcnlp.extract(text or "").to_dict()
        assert json.loads(row["kcnlp_entities"]) == rec["entities"]
        assert json.loads(row["kcnlp_events"]) == rec["events"]


def test_missing_column_is_named():
    with pytest.raises(KeyError, match="body"):
        kcnlp.extract_dataset(Dataset.from_dict({"body": ["x"]}), text_column="text")


def test_dask_local_cluster_gives_the_same_records():
    distributed = pytest.importorskip("dask.distributed")
    from kcnlp.io.scale import extract_dask

    texts = [t or "" for t in TEXTS] * 5
    articles = [(f"d{i}", t) for i, t in enumerate(texts)]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        records = list(extract_dask(articles, client, batch_size=3, max_in_flight=2))
    expected = [{**kcnlp.extract(t).to_dict(), "id": f"d{i}"} for i, t in enumerate(texts)]
    assert records == expected
