"""Supporting units' names and strengths: city bureaus, state enterprises, universities and
hospitals at city level; each district's bureaus and institutions at district level."""

from __future__ import annotations

import random
from collections.abc import Iterator

A, F, E, H, C, T, W, P, M, S = ("agriculture", "finance", "education", "health", "culture_tourism", "transport",
                                "water", "planning", "commerce", "technology")

CITY: list[tuple[str, str]] = [
    ("市农业农村委", A), ("市财政局", F), ("市教委", E), ("市卫生健康委", H), ("市文化和旅游局", C),
    ("市交通运输委", T), ("市水务局", W), ("市规划和自然资源局", P), ("市商务局", M), ("市科技局", S),
    ("市发展改革委", P), ("市工业和信息化局", S), ("市人力资源和社会保障局", E), ("市民政局", H),
    ("市住房城乡建设委", P), ("市生态环境局", W), ("市市场监管委", M), ("市供销合作总社", M),
    ("市农业科学院", A), ("市委宣传部", C), ("市总工会", E), ("团市委", E), ("市妇联", H), ("市金融局", F),
    ("市国资委", F), ("市统计局", P), ("市审计局", F), ("市医保局", H), ("市体育局", C),
    ("市退役军人事务局", E), ("市应急管理局", T), ("市城市管理委", P), ("市司法局", E), ("市气象局", A),
    ("市粮食和物资储备局", A), ("天津银行", F), ("天津农商银行", F), ("渤海银行", F),
    ("农业银行天津市分行", F), ("建设银行天津市分行", F), ("工商银行天津市分行", F), ("中国银行天津市分行", F),
    ("国家开发银行天津市分行", F), ("天津港集团", T), ("天津城投集团", P), ("天津食品集团", A),
    ("天津能源集团", W), ("渤海化工集团", S), ("天津建工集团", P), ("天津轨道交通集团", T), ("天津水务集团", W),
    ("天津泰达投资控股公司", F), ("天津物产集团", M), ("天津医药集团", H), ("海河传媒中心", C),
    ("国网天津市电力公司", S), ("中国移动天津公司", S), ("中国电信天津分公司", S), ("中国联通天津分公司", S),
    ("天津市邮政分公司", M), ("天津一商集团", M), ("天津二商集团", M), ("百利机械装备集团", S),
    ("南开大学", E), ("天津大学", S), ("天津医科大学", H), ("天津师范大学", E), ("天津工业大学", S),
    ("天津科技大学", S), ("天津理工大学", S), ("天津财经大学", F), ("天津农学院", A), ("天津中医药大学", H),
    ("天津商业大学", M), ("天津城建大学", P), ("天津职业技术师范大学", E), ("天津外国语大学", E),
    ("天津体育学院", C), ("天津音乐学院", C), ("天津美术学院", C), ("天津市第一中心医院", H),
    ("天津医科大学总医院", H), ("天津市人民医院", H), ("天津市第三中心医院", H), ("天津市胸科医院", H),
    ("天津市儿童医院", H), ("天津市水产研究所", A), ("天津市畜牧兽医研究所", A), ("天津市园林规划设计院", P),
]
CITY_SUBUNITS = ("信息中心", "研究院", "服务中心", "培训中心", "监测中心", "机关服务中心", "发展研究中心")
DISTRICT: list[tuple[str, str]] = [
    ("农业农村委", A), ("财政局", F), ("教育局", E), ("卫生健康委", H), ("文化和旅游局", C), ("交通运输局", T),
    ("水务局", W), ("规划资源分局", P), ("商务局", M), ("科技局", S), ("发展改革委", P), ("工业和信息化局", S),
    ("人力资源和社会保障局", E), ("民政局", H), ("住房建设委", P), ("生态环境局", W), ("市场监管局", M),
    ("供销合作社", M), ("委组织部", E), ("委宣传部", C), ("总工会", E), ("团区委", E), ("妇联", H),
    ("金融工作局", F), ("国资委", F), ("统计局", P), ("审计局", F), ("税务局", F), ("医疗保障局", H),
    ("体育局", C), ("退役军人事务局", E), ("应急管理局", T), ("城市管理委", P), ("司法局", E),
    ("人民医院", H), ("中医医院", H), ("职业教育中心", E), ("融媒体中心", C), ("城市建设投资公司", P),
    ("农业技术推广中心", A), ("水利工程管理所", W),
]
DISTRICT_SUBUNITS = ("所属服务中心", "综合执法大队", "信息中心", "所属事业单位")


def _names(rng: random.Random, prefix: str, base: list[tuple[str, str]], subs: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """Every base name once (shuffled), then sub-units of them (e.g. 市水务局信息中心)."""
    first = [(prefix + n, s) for n, s in base]
    rng.shuffle(first)
    yield from first
    more = [(prefix + n + sub, s) for sub in subs for n, s in base]
    rng.shuffle(more)
    yield from more


def city_units(rng: random.Random) -> Iterator[tuple[str, str]]:
    return _names(rng, "", CITY, CITY_SUBUNITS)


def district_units(rng: random.Random, district_name: str) -> Iterator[tuple[str, str]]:
    return _names(rng, district_name, DISTRICT, DISTRICT_SUBUNITS)


def strengths(rng: random.Random, primary: str) -> tuple[str, ...]:
    """A unit's functional strengths: its own field first, sometimes one or two more."""
    extra = rng.sample([x for x in (A, F, E, H, C, T, W, P, M, S) if x != primary], k=rng.choice((0, 0, 1, 1, 2)))
    return (primary, *extra)
