"""The wording scan's reading of a text: one pass of one automaton, folded alike, the longer hit kept."""

from content.wording import LINK, Scanner, Term, fold


def scan(text, *terms, domains=()):
    scanner = Scanner([Term(number, *term) for number, term in enumerate(terms, start=1)], domains)
    return {(hit.lexicon, hit.term, text[hit.start : hit.end], hit.count) for hit in scanner.hits(text)}


def test_folding_keeps_every_character_in_its_place():
    text = "ＡＰＰ下载，Ｗｅｉｂｏ　２０２６"
    assert fold(text) == "app下载,weibo 2026"
    assert len(fold(text)) == len(text)


def test_full_width_and_half_width_capitals_and_small_letters_read_alike():
    found = scan("请 ａｐｐ下栽 或 APP下栽", ("misused", "ＡＰＰ下栽"))
    assert found == {("misused", "ＡＰＰ下栽", "ａｐｐ下栽", 2)}


def test_a_hit_inside_a_longer_hit_is_dropped_and_overlapping_hits_are_both_kept():
    terms = (("serious", "人民代表大会"), ("sensitive", "代表"), ("misused", "大会开幕式"))
    found = scan("人民代表大会开幕式", *terms)
    assert found == {
        ("serious", "人民代表大会", "人民代表大会", 1),
        ("misused", "大会开幕式", "大会开幕式", 1),
    }


def test_one_term_in_two_lexicons_is_a_hit_in_each():
    found = scan("严禁赌博", ("sensitive", "赌博"), ("serious", "赌博"))
    assert {lexicon for lexicon, *_rest in found} == {"sensitive", "serious"}


def test_the_correct_form_that_contains_the_term_is_not_a_hit():
    term = ("serious", "人民代表大会", "全国人民代表大会")
    assert scan("第十四届全国人民代表大会", term) == set()
    assert scan("第十四届人民代表大会", term) == {("serious", "人民代表大会", "人民代表大会", 1)}


def test_a_text_without_any_term_has_no_hit():
    assert scan("今日全区各项工作有序推进。", ("sensitive", "赌博"), ("misused", "不径而走")) == set()


def test_a_link_outside_the_allowed_sites_is_a_hit_by_its_host():
    text = "详见 https://www.example.com/a?b=1 、http://WWW.GOV.CN/x 和 https://evil.gov.cn.example.net/"
    found = scan(text, domains=["gov.cn"])
    assert {(lexicon, term) for lexicon, term, *_rest in found} == {
        (LINK, "www.example.com"),
        (LINK, "evil.gov.cn.example.net"),
    }


def test_the_excerpt_is_cut_from_the_post_as_written():
    scanner = Scanner([Term(1, "misused", "不径而走")])
    text = "据悉，\n此事不径而走，引起关注。"
    [hit] = scanner.hits(text)
    assert hit.excerpt(text) == {
        "before": "据悉, 此事".replace(",", "，"),
        "match": "不径而走",
        "after": "，引起关注。",
    }
