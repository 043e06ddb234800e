"""English names of areas: official where we have them, else pinyin plus a generic term."""

import pytest

from places.names import english_name


@pytest.mark.parametrize(
    ("name_zh", "code", "expected"),
    [
        ("上海市", "310000", "Shanghai"),
        ("北京市", "110000", "Beijing"),
        ("广东省", "440000", "Guangdong Province"),
        ("内蒙古自治区", "150000", "Inner Mongolia Autonomous Region"),
        ("香港特别行政区", "810000", "Hong Kong SAR"),
        ("浦东新区", "310115", "Pudong New Area"),
        ("徐汇区", "310104", "Xuhui District"),
        ("静安区", "310106", "Jing'an District"),
        ("市辖区", "310100", "City districts"),
    ],
)
def test_official_names_come_from_the_table(name_zh, code, expected):
    assert english_name(name_zh, code) == expected


@pytest.mark.parametrize(
    ("name_zh", "expected"),
    [
        ("海淀区", "Haidian District"),
        ("阳江市", "Yangjiang City"),
        ("靖远县", "Jingyuan County"),
        ("杭锦旗", "Hangjin Banner"),
        ("阿拉善盟", "Alashan League"),
        ("阿里地区", "Ali Prefecture"),
        ("滨海新区", "Binhai New Area"),
        ("大理白族自治州", "Dali Bai Autonomous Prefecture"),
        ("湘西土家族苗族自治州", "Xiangxi Tujia and Miao Autonomous Prefecture"),
        ("威宁彝族回族苗族自治县", "Weining Yi, Hui and Miao Autonomous County"),
        ("鄂伦春自治旗", "Oroqen Autonomous Banner"),
    ],
)
def test_other_names_are_pinyin_plus_an_english_generic_term(name_zh, expected):
    assert english_name(name_zh, "") == expected


@pytest.mark.parametrize(
    ("name_zh", "expected"),
    [
        ("西安市", "Xi'an City"),  # apostrophe between syllables
        ("长宁区", "Changning District"),  # 长 reads chang in place names
        ("朝阳区", "Chaoyang District"),
        ("忠县", "Zhongxian County"),  # one-character stem keeps its generic term
        ("城区", "Chengqu District"),
        ("清新区", "Qingxin District"),  # not the "new area" of 清
        ("乌鲁木齐市", "Urumqi City"),
    ],
)
def test_romanization_follows_place_name_conventions(name_zh, expected):
    assert english_name(name_zh, "") == expected
