"""The one Chinese tokenizer every search backend shares.

``tokenize(text)`` turns raw text into the list of index terms; ``segment(text)`` is the same list joined
by single spaces, which is what both backends store (the embedded index uses tantivy's ``whitespace``
tokenizer, Elasticsearch a ``whitespace`` analyser), so segmentation happens exactly once, here.

* Segmentation: a module-level ``jieba.Tokenizer`` built lazily, once, with every ``*.txt`` user
  dictionary in ``kb/search/dict/`` loaded (``gov_terms.txt`` ours, ``demo_city.txt`` the demo city's
  places, in jieba's ``word freq tag`` format). ``synonyms.txt`` is not a user dictionary.
* Search mode (``cut_for_search``): long compounds are also split into their sub-words, so
  ``住房公积金管理中心`` matches a question that only says ``公积金``.
* Stop words and punctuation are dropped; Latin text is lower-cased.
* Synonyms (``synonyms.txt``, one group per line, first word canonical) are applied by
  *canonicalisation on both sides*: index and query terms are both replaced by the group's canonical
  form. Chosen over query-time expansion because (1) BM25 then counts 医保卡/社保卡 as one term with one
  IDF instead of three OR-ed rarer terms, (2) both backends get it for free from pre-segmented text,
  (3) highlighting still marks the surface form (``term_spans``). The cost: editing a synonym group
  needs a re-index, which ``hotline`` can do from the article store.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import jieba

DICT_DIR = Path(__file__).resolve().parent / "dict"
SYNONYMS_FILE = DICT_DIR / "synonyms.txt"

STOP_WORDS_FILE = Path(__file__).resolve().parent / "stopwords.txt"
STOP_WORDS = frozenset(
    word
    for line in STOP_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    if not line.startswith("#")
    for word in line.split()
)

_WORD = re.compile(r"\w", re.UNICODE)
_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def _dictionary_files() -> list[Path]:
    return sorted(p for p in DICT_DIR.glob("*.txt") if p.name != SYNONYMS_FILE.name)


def get_jieba() -> jieba.Tokenizer:
    """The process-wide jieba tokenizer with our user dictionaries (built on first use)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                tok = jieba.Tokenizer()
                tok.initialize()
                for path in _dictionary_files():
                    with path.open("rb") as fh:  # jieba leaves a path's file open
                        tok.load_userdict(fh)
                # Every synonym must survive segmentation as one word, or canonicalisation cannot see it.
                for group in synonym_groups():
                    for word in group:
                        tok.add_word(word, freq=max(tok.FREQ.get(word, 0), 20000))
                _tokenizer = tok
    return _tokenizer


@lru_cache(maxsize=1)
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    """Synonym groups from ``dict/synonyms.txt``; the first word of each group is canonical."""
    groups = []
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            groups.append(tuple(line.split()))
    return tuple(groups)


@lru_cache(maxsize=1)
def _canonical_map() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for group in synonym_groups():
        for word in group:
            mapping.setdefault(word.lower(), group[0].lower())
    return mapping


def canonical(term: str) -> str:
    """The synonym group's canonical form of ``term`` (``term`` itself when it has no synonyms)."""
    return _canonical_map().get(term, term)


@lru_cache(maxsize=1)
def _groups_by_canonical() -> dict[str, tuple[str, ...]]:
    return {group[0].lower(): tuple(w.lower() for w in group) for group in synonym_groups()}


def surface_forms(term: str) -> tuple[str, ...]:
    """Every word that canonicalises to ``canonical(term)`` (just ``term`` when it has no synonyms)."""
    return _groups_by_canonical().get(canonical(term), (term,))


def _normalise(text: str) -> str:
    # NFKC folds full-width digits/letters (１２３４５, ＡＢＣ) that citizens type on phones.
    return unicodedata.normalize("NFKC", text)


def term_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """``(canonical term, start, end)`` for each kept term of ``text``, offsets into ``text``.

    Only the coarse segmentation is used here (no sub-words) so spans never overlap; used for
    highlighting.
    """
    norm = _normalise(text)
    if len(norm) != len(text):  # NFKC changed lengths (rare ligatures): offsets would drift
        norm = text
    for word, start, end in get_jieba().tokenize(norm, mode="default", HMM=True):
        term = word.strip().lower()
        if term and term not in STOP_WORDS and _WORD.search(term):
            yield canonical(term), start, end


def _search_words(tok: jieba.Tokenizer, text: str) -> Iterator[str]:
    # jieba's cut_for_search, except that a synonym is never split: 社保卡 must not also yield 社保
    # while 医保卡 yields 医保, or the two would stop being equivalent.
    synonyms = _canonical_map()
    for word in tok.cut(text, HMM=True):
        if word.lower() not in synonyms:
            for n in (2, 3):
                if len(word) > n:
                    for i in range(len(word) - n + 1):
                        gram = word[i : i + n]
                        if tok.FREQ.get(gram):
                            yield gram
        yield word


def tokenize(text: str) -> list[str]:
    """Index/query terms of ``text``: search-mode segmentation, stop words out, synonyms canonical."""
    terms = []
    for word in _search_words(get_jieba(), _normalise(text)):
        term = word.strip().lower()
        if term and term not in STOP_WORDS and _WORD.search(term):
            terms.append(canonical(term))
    return terms


def segment(text: str) -> str:
    """``tokenize(text)`` joined by single spaces: the pre-segmented form both backends index."""
    return " ".join(tokenize(text))
