from kb.search.tokenize import (
    canonical,
    get_jieba,
    segment,
    surface_forms,
    synonym_groups,
    term_spans,
    tokenize,
)


def test_synonyms_share_one_canonical_term():
    assert tokenize("医保卡") == tokenize("社保卡") == ["医保卡"]
    assert "医保卡" in tokenize("社会保障卡怎么补办")
    assert canonical("住房公积金") == "公积金"
    assert set(surface_forms("社保卡")) >= {"医保卡", "社保卡", "社会保障卡"}


def test_every_synonym_is_one_jieba_word():
    jieba = get_jieba()
    for group in synonym_groups():
        for word in group:
            assert list(jieba.cut(word)) == [word], word


def test_user_dictionary_terms_stay_whole():
    assert "异地就医" in tokenize("异地就医怎么备案")
    assert "灵活就业人员" in tokenize("灵活就业人员如何参保")


def test_stop_words_and_punctuation_are_dropped():
    terms = tokenize("请问，我的身份证在哪里办理？")
    assert "请问" not in terms and "的" not in terms and "，" not in terms and "？" not in terms
    assert "身份证" in terms and "办理" in terms


def test_full_width_text_is_folded():
    assert tokenize("ＡＢＣ１２３４５") == tokenize("abc12345")


def test_segment_is_whitespace_joined_terms():
    text = "居民身份证到期换领需要什么材料"
    assert segment(text).split(" ") == tokenize(text)


def test_term_spans_point_at_surface_forms():
    text = "持社会保障卡到窗口"
    spans = {term: text[s:e] for term, s, e in term_spans(text)}
    assert spans["医保卡"] == "社会保障卡"
    assert spans["窗口"] == "窗口"
