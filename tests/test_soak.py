"""Fuzz and soak run: 10,000 random and real-like inputs through extract, every offset valid.

    pytest -m slow tests/test_soak.py -s      (prints the figures)
"""
import random
import time
import unicodedata

import pytest

import kcnlp
from tests.test_properties import FRAGMENTS

pytestmark = pytest.mark.slow


def _inputs(n: int, seed: int = 7):
    rng = random.Random(seed)
    alphabet = [chr(c) for c in list(range(32, 127)) + list(range(0x00c0, 0x01b0)) + list(range(0x1ea0, 0x1ef9))
                + [0x0300, 0x0301, 0x0303, 0x0309, 0x0323, 0x00a0, 0x200b, 0x200d, 0xfeff, 0x202e, 0x1f600, 0x0627, 10, 13, 9]]
    for i in range(n):
        if i % 2:
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400)))
        else:
            text = rng.choice([" ", "", "\n", "\t"]).join(rng.choice(FRAGMENTS) for _ in range(rng.randint(0, 60)))
        yield unicodedata.normalize(rng.choice(["NFC", "NFD"]), text) if i % 3 == 0 else text


def test_soak_10000_inputs():
    t0, n, ents = time.time(), 0, 0
    for text in _inputs(10_000):
        doc = kcnlp.extract(text)
        assert doc.text == text
        for e in doc.entities:
            assert text[e.start:e.end] == e.text
        n += 1
        ents += len(doc.entities)
    print(f"\nsoak: {n} inputs, {ents} entities, {time.time() - t0:.0f}s, no exception, every offset valid")


def test_five_megabyte_document():
    block = "Năm 2023, Trung tâm Khuyến công tỉnh Hà Nam hỗ trợ 3 lớp đào tạo nghề cho 90 học viên với kinh phí 1,2 tỷ đồng.\n"
    text = block * (5_000_000 // len(block))
    t0 = time.time()
    doc = kcnlp.extract(text)
    assert sum(e.label == "MONEY" for e in doc.entities) == text.count("1,2 tỷ đồng")
    print(f"\n5 MB document: {len(text):,} chars in {time.time() - t0:.0f}s, {len(doc.entities)} entities")


def test_hundred_thousand_tiny_documents():
    texts = (f"Chi {i % 97} triệu đồng năm 20{10 + i % 15}." for i in range(100_000))
    t0, n = time.time(), 0
    for doc in kcnlp.pipe(texts, batch_size=256):
        assert all(doc.text[e.start:e.end] == e.text for e in doc.entities)
        n += 1
    assert n == 100_000
    print(f"\n100k tiny documents in {time.time() - t0:.0f}s")
