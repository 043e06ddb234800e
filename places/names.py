"""English names of administrative areas.

Provinces and the districts of Shanghai carry their official English names
from a short hand-written table. Every other area gets the Hanyu Pinyin of its
name stem plus an English generic term for its kind (区 District, 县 County,
自治州 Autonomous Prefecture…), following the national rules for romanizing
place names (GB/T 16159): the stem is written as one word, with an apostrophe
where a syllable starting with a, o or e would otherwise run into the one
before it (Xi'an), and a one-character stem keeps the pinyin of its generic
term (沙县 Shaxian County), as official usage does.
"""

from pypinyin import Style, pinyin

# Official English names; these win over anything derived from pinyin.
OFFICIAL_NAMES = {
    # provinces, autonomous regions, municipalities and special administrative regions
    "北京市": "Beijing",
    "天津市": "Tianjin",
    "河北省": "Hebei Province",
    "山西省": "Shanxi Province",
    "内蒙古自治区": "Inner Mongolia Autonomous Region",
    "辽宁省": "Liaoning Province",
    "吉林省": "Jilin Province",
    "黑龙江省": "Heilongjiang Province",
    "上海市": "Shanghai",
    "江苏省": "Jiangsu Province",
    "浙江省": "Zhejiang Province",
    "安徽省": "Anhui Province",
    "福建省": "Fujian Province",
    "江西省": "Jiangxi Province",
    "山东省": "Shandong Province",
    "河南省": "Henan Province",
    "湖北省": "Hubei Province",
    "湖南省": "Hunan Province",
    "广东省": "Guangdong Province",
    "广西壮族自治区": "Guangxi Zhuang Autonomous Region",
    "海南省": "Hainan Province",
    "重庆市": "Chongqing",
    "四川省": "Sichuan Province",
    "贵州省": "Guizhou Province",
    "云南省": "Yunnan Province",
    "西藏自治区": "Xizang Autonomous Region",
    "陕西省": "Shaanxi Province",
    "甘肃省": "Gansu Province",
    "青海省": "Qinghai Province",
    "宁夏回族自治区": "Ningxia Hui Autonomous Region",
    "新疆维吾尔自治区": "Xinjiang Uygur Autonomous Region",
    "台湾省": "Taiwan Province",
    "香港特别行政区": "Hong Kong SAR",
    "澳门特别行政区": "Macao SAR",
}

# The 16 districts of Shanghai, keyed by code because names such as 普陀区
# also exist elsewhere (Zhoushan has a 普陀区 of its own).
SHANGHAI_DISTRICTS = {
    "310101": "Huangpu District",
    "310104": "Xuhui District",
    "310105": "Changning District",
    "310106": "Jing'an District",
    "310107": "Putuo District",
    "310109": "Hongkou District",
    "310110": "Yangpu District",
    "310112": "Minhang District",
    "310113": "Baoshan District",
    "310114": "Jiading District",
    "310115": "Pudong New Area",
    "310116": "Jinshan District",
    "310117": "Songjiang District",
    "310118": "Qingpu District",
    "310120": "Fengxian District",
    "310151": "Chongming District",
}

# Names that are not a stem plus a generic term: groupings in the code list.
WHOLE_NAMES = {
    "市辖区": "City districts",
    "县": "Counties",
    "省直辖县级行政区划": "County-level divisions under the province",
    "自治区直辖县级行政区划": "County-level divisions under the autonomous region",
}

# Generic terms, longest first so that 自治县 wins over 县 and 新区 over 区.
GENERIC_TERMS = [
    ("特别行政区", "Special Administrative Region"),
    ("自治区", "Autonomous Region"),
    ("自治州", "Autonomous Prefecture"),
    ("自治县", "Autonomous County"),
    ("自治旗", "Autonomous Banner"),
    ("街道", "Subdistrict"),
    ("新区", "New Area"),
    ("林区", "Forestry District"),
    ("特区", "Special District"),
    ("地区", "Prefecture"),
    ("省", "Province"),
    ("市", "City"),
    ("区", "District"),
    ("县", "County"),
    ("旗", "Banner"),
    ("盟", "League"),
    ("镇", "Town"),
    ("乡", "Township"),
]

# Ethnic groups named in autonomous areas, with the names used in official
# English (延边朝鲜族自治州 Yanbian Korean Autonomous Prefecture).
ETHNIC_GROUPS = {
    "蒙古族": "Mongol",
    "蒙古": "Mongol",
    "回族": "Hui",
    "藏族": "Tibetan",
    "维吾尔": "Uygur",
    "苗族": "Miao",
    "彝族": "Yi",
    "壮族": "Zhuang",
    "布依族": "Bouyei",
    "朝鲜族": "Korean",
    "满族": "Manchu",
    "侗族": "Dong",
    "瑶族": "Yao",
    "白族": "Bai",
    "土家族": "Tujia",
    "哈尼族": "Hani",
    "哈萨克族": "Kazak",
    "哈萨克": "Kazak",
    "傣族": "Dai",
    "黎族": "Li",
    "傈僳族": "Lisu",
    "佤族": "Va",
    "畲族": "She",
    "拉祜族": "Lahu",
    "水族": "Sui",
    "东乡族": "Dongxiang",
    "纳西族": "Naxi",
    "景颇族": "Jingpo",
    "柯尔克孜": "Kirgiz",
    "土族": "Tu",
    "达斡尔族": "Daur",
    "仫佬族": "Mulao",
    "羌族": "Qiang",
    "布朗族": "Blang",
    "撒拉族": "Salar",
    "毛南族": "Maonan",
    "仡佬族": "Gelao",
    "锡伯": "Xibe",
    "普米族": "Pumi",
    "塔吉克": "Tajik",
    "怒族": "Nu",
    "鄂温克族": "Ewenki",
    "鄂温克": "Ewenki",
    "保安族": "Bonan",
    "裕固族": "Yugur",
    "独龙族": "Derung",
    "鄂伦春": "Oroqen",
    "各族": "Multi-ethnic",
}
_ETHNIC_LONGEST_FIRST = sorted(ETHNIC_GROUPS, key=len, reverse=True)

# Readings that differ from everyday Chinese: 长 is "chang" and 都 is "du" in
# place names (长宁, 都匀) and 朝阳 is "Chaoyang"; a few names are written in their own
# official form rather than in pinyin.
STEM_EXCEPTIONS = {
    "长子": "Zhangzi",
    "呼和浩特": "Hohhot",
    "乌鲁木齐": "Urumqi",
    "拉萨": "Lhasa",
    "哈尔滨": "Harbin",
    "库尔勒": "Korla",
    "单县": "Shanxian",
}
SYLLABLE_FIXES = {"长": "chang", "都": "du"}
PHRASE_FIXES = {"朝阳": ["chao", "yang"], "朝天": ["chao", "tian"]}


def english_name(name_zh: str, code: str = "") -> str:
    """The English name of an area called ``name_zh`` with the 12- or 6-digit ``code``."""
    if name_zh in OFFICIAL_NAMES:
        return OFFICIAL_NAMES[name_zh]
    if code[:6] in SHANGHAI_DISTRICTS:
        return SHANGHAI_DISTRICTS[code[:6]]
    if name_zh in WHOLE_NAMES:
        return WHOLE_NAMES[name_zh]
    return romanize(name_zh)


def romanize(name_zh: str) -> str:
    """Pinyin of the stem plus the English generic term, e.g. 浦东新区 → Pudong New Area."""
    split = _split_generic_term(name_zh)
    if split is None:
        return spell(name_zh)
    stem, term_zh, term_en = split
    groups = []
    if term_zh.startswith("自治"):
        stem, groups = _split_ethnic_groups(stem)
    # 沙县 Shaxian County, 城区 Chengqu District: a lone syllable is no name.
    proper = spell(stem + term_zh) if len(stem) == 1 else spell(stem)
    words = [proper] if proper else []
    if groups:
        words.append(_join_groups(groups))
    words.append(term_en)
    return " ".join(words)


def _split_generic_term(name_zh: str) -> tuple[str, str, str] | None:
    """(stem, generic term, its English) for ``name_zh``, or None if it ends in no known term."""
    for term_zh, term_en in GENERIC_TERMS:
        stem = name_zh.removesuffix(term_zh)
        # 清新区 is the district of Qingxin, not a "new area" of 清: a longer
        # term counts only when a real stem (two characters or more) is left.
        if stem != name_zh and len(stem) >= min(2, len(term_zh)):
            return stem, term_zh, term_en
    return None


def spell(text: str) -> str:
    """``text`` in pinyin as one capitalized word with apostrophes where GB/T 16159 wants them."""
    if not text:
        return ""
    if text in STEM_EXCEPTIONS:
        return STEM_EXCEPTIONS[text]
    syllables = [item[0] for item in pinyin(text, style=Style.NORMAL, errors="default")]
    if len(syllables) == len(text):
        syllables = _apply_fixes(text, syllables)
    word = ""
    for syllable in syllables:
        if word and syllable[:1] in ("a", "o", "e"):
            word += "'"
        word += syllable
    return word[:1].upper() + word[1:]


def _apply_fixes(text: str, syllables: list[str]) -> list[str]:
    fixed = list(syllables)
    for index, char in enumerate(text):
        if char in SYLLABLE_FIXES:
            fixed[index] = SYLLABLE_FIXES[char]
    for phrase, readings in PHRASE_FIXES.items():
        start = text.find(phrase)
        while start != -1:
            fixed[start : start + len(phrase)] = readings
            start = text.find(phrase, start + len(phrase))
    return fixed


def _split_ethnic_groups(stem: str) -> tuple[str, list[str]]:
    """Peel the ethnic groups off the end of an autonomous area's stem, keeping their order."""
    groups = []
    while stem:
        group = next((g for g in _ETHNIC_LONGEST_FIRST if stem.endswith(g)), None)
        if group is None:
            break
        groups.insert(0, ETHNIC_GROUPS[group])
        stem = stem[: -len(group)]
    return stem, groups


def _join_groups(groups: list[str]) -> str:
    if len(groups) == 1:
        return groups[0]
    return ", ".join(groups[:-1]) + " and " + groups[-1]
