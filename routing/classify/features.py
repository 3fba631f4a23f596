"""Text features: character n-grams plus jieba words, TF-IDF weighted, in one sparse matrix.

Measured on the shared data (see BENCHMARKS.md ``## Classification``): character 1–2-grams with
``min_df=2`` beat 1–3/1–4-grams; with the shared search tokenizer's words added at equal weight and
sublinear tf on both blocks, category macro-F1 rose another ~1 point. The word block also makes the
explanations readable.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

WORD_BLOCK_WEIGHT = 1.0
# With fewer documents than this, a term seen once is not noise but most of the signal.
MIN_DOCS_FOR_MIN_DF = 50


@lru_cache(maxsize=65536)
def _tokens(text: str) -> tuple[str, ...]:
    # Cached: cross-validation and calibration segment the same text many times.
    return tuple(words(text))


def words(text: str) -> list[str]:
    """jieba words of ``text`` through the shared search tokenizer (stop words out, synonyms canonical)."""
    from kb.search.tokenize import tokenize

    return tokenize(text)


def word_analyzer(text: str) -> tuple[str, ...]:
    return _tokens(text)


# The feature sets training chooses between by out-of-fold macro-F1 (``model.train_pairs``): the
# category data prefers the first, the request-type data the third (BENCHMARKS.md). ``nb-char14``
# goes with the NB-SVM classifier (``nbsvm.NBSVM``), the others with a balanced LinearSVC.
VARIANTS = ("char12-words", "char13", "nb-char14")
NB_VARIANTS = frozenset({"nb-char14"})


class TextFeatures:
    """Fit on training texts, then ``transform`` any text; ``names`` maps columns back to n-grams/words.

    ``variant``: ``char12-words`` — character 1–2-grams plus shared-tokenizer words, both sublinear,
    ``min_df=2``; ``char13`` — character 1–3-grams, raw tf (the baseline's features); ``nb-char14`` —
    character 1–4-grams present/absent (0/1), ``min_df=2``, for NB-SVM's log-count ratios.
    """

    def __init__(self, variant: str = VARIANTS[0]) -> None:
        if variant not in VARIANTS:
            raise ValueError(f"unknown feature variant {variant!r}; one of {VARIANTS}")
        self.variant = variant
        self.char: CountVectorizer | None = None
        self.word: TfidfVectorizer | None = None
        self.n_char = 0
        self.names: np.ndarray = np.array([], dtype=object)
        self.is_word: np.ndarray = np.array([], dtype=bool)

    def fit_transform(self, texts: list[str]) -> csr_matrix:
        min_df = 2 if len(texts) >= MIN_DOCS_FOR_MIN_DF else 1
        variant = getattr(self, "variant", VARIANTS[0])
        if variant in ("char13", "nb-char14"):
            self.char = (
                TfidfVectorizer(analyzer="char", ngram_range=(1, 3), dtype=np.float32)
                if variant == "char13"
                else CountVectorizer(analyzer="char", ngram_range=(1, 4), min_df=min_df, binary=True, dtype=np.float32)
            )
            self.word = None
            a = self.char.fit_transform(texts)
            self.n_char = a.shape[1]
            self.names = self.char.get_feature_names_out().astype(object)
            self.is_word = np.zeros(a.shape[1], bool)
            return a.tocsr()
        self.char = TfidfVectorizer(
            analyzer="char", ngram_range=(1, 2), min_df=min_df, sublinear_tf=True, dtype=np.float32
        )
        self.word = TfidfVectorizer(analyzer=word_analyzer, min_df=min_df, sublinear_tf=True, dtype=np.float32)
        a = self.char.fit_transform(texts)
        try:
            b = self.word.fit_transform(texts) * WORD_BLOCK_WEIGHT
        except ValueError:  # no word survived (e.g. digits only): the character block carries it
            self.word = None
            b = csr_matrix((len(texts), 0), dtype=np.float32)
        self.n_char = a.shape[1]
        char_names = self.char.get_feature_names_out()
        word_names = self.word.get_feature_names_out() if self.word is not None else np.array([], dtype=object)
        self.names = np.concatenate([char_names.astype(object), word_names.astype(object)])
        self.is_word = np.concatenate([np.zeros(len(char_names), bool), np.ones(len(word_names), bool)])
        return hstack([a, b], format="csr")

    def transform(self, texts: list[str]) -> csr_matrix:
        if self.char is None:
            raise RuntimeError("TextFeatures.transform called before fit_transform")
        a = self.char.transform(texts)
        if self.word is None:
            return a.tocsr()
        return hstack([a, self.word.transform(texts) * WORD_BLOCK_WEIGHT], format="csr")


def baseline_features() -> TfidfVectorizer:
    """The reference baseline's features: character 1–3-gram TF-IDF, scikit-learn defaults."""
    return TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
