"""Plausible names: towns of each district, villages composed the way north-China villages
are named (王庄、李家营、大口屯、东辛庄…), and cadres' names (synthetic personal data)."""

from __future__ import annotations

import random

# 镇/乡/街 of each district (district code → names).
TOWNS: dict[str, list[str]] = {
    "120110": ["华明街道", "金桥街道", "军粮城街道", "新立街道", "无瑕街道", "金钟街道", "东丽湖街道", "华新街道"],
    "120111": ["杨柳青镇", "辛口镇", "张家窝镇", "精武镇", "大寺镇", "王稳庄镇", "中北镇", "李七庄街道"],
    "120112": ["小站镇", "葛沽镇", "北闸口镇", "八里台镇", "双港镇", "辛庄镇", "咸水沽镇", "双桥河镇"],
    "120113": ["西堤头镇", "双口镇", "青光镇", "大张庄镇", "北仓镇", "双街镇", "宜兴埠镇", "天穆镇", "小淀镇"],
    "120114": ["大良镇", "河西务镇", "城关镇", "崔黄口镇", "大王古庄镇", "梅厂镇", "石各庄镇", "汊沽港镇",
               "陈咀镇", "王庆坨镇", "豆张庄镇", "白古屯镇", "上马台镇", "大碱厂镇", "曹子里镇", "大黄堡镇",
               "高村镇", "南蔡村镇", "黄花店镇"],
    "120115": ["大口屯镇", "王卜庄镇", "方家庄镇", "林亭口镇", "八门城镇", "大钟庄镇", "新安镇", "霍各庄镇",
               "新开口镇", "大唐庄镇", "牛道口镇", "史各庄镇", "郝各庄镇", "周良庄镇", "黄庄镇", "尔王庄镇",
               "口东镇", "大白庄镇"],
    "120117": ["芦台镇", "宁河镇", "苗庄镇", "丰台镇", "岳龙镇", "板桥镇", "潘庄镇", "造甲城镇", "七里海镇",
               "大北涧沽镇", "东棘坨镇", "俵口镇", "廉庄镇"],
    "120118": ["静海镇", "唐官屯镇", "独流镇", "王口镇", "台头镇", "子牙镇", "陈官屯镇", "中旺镇", "大邱庄镇",
               "蔡公庄镇", "梁头镇", "杨成庄乡", "西翟庄镇", "双塘镇", "大丰堆镇", "沿庄镇"],
    "120119": ["渔阳镇", "洇溜镇", "官庄镇", "马伸桥镇", "下营镇", "邦均镇", "别山镇", "尤古庄镇", "上仓镇",
               "下仓镇", "罗庄子镇", "白涧镇", "侯家营镇", "桑梓镇", "东施古镇", "下窝头镇", "杨津庄镇",
               "出头岭镇", "西龙虎峪镇", "穿芳峪镇", "东二营镇", "许家台镇", "礼明庄镇", "东赵各庄镇",
               "州河湾镇", "孙各庄满族乡"],
}

SURNAMES = ("王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁于蒋蔡余杜叶程苏"
            "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶贺顾毛郝龚邵万钱"
            "严武戴孔汤齐常康霍")
PLACE_CORES = "口河塘桥辛杨柳槐榆杏枣梨石沙高洼台岭峪湾泉营双三五八"
DIRECTIONS = ("", "", "", "大", "小", "东", "西", "南", "北", "前", "后", "新", "上", "下")
LINKS = ("", "", "家", "各")
SUFFIXES = ("庄", "庄", "庄", "营", "屯", "坨", "店", "寨", "堡", "口", "沽", "洼", "台", "务", "窝", "铺",
            "园", "甸", "坊", "桥", "庄子", "辛庄", "官庄", "各庄")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国玉兰志海晓红文斌鹏宇浩凯东俊峰亮辉"


def village_name(rng: random.Random) -> str:
    core = rng.choice(SURNAMES) if rng.random() < 0.7 else rng.choice(PLACE_CORES)
    link = rng.choice(LINKS) if core in SURNAMES else ""
    suffix = rng.choice(SUFFIXES)
    if link == "各" and suffix != "庄":
        link = ""
    return f"{rng.choice(DIRECTIONS)}{core}{link}{suffix}村"


def unique_village_names(rng: random.Random, n: int) -> list[str]:
    """``n`` distinct names (within one district, where people would confuse them)."""
    seen: set[str] = set()
    out = []
    while len(out) < n:
        name = village_name(rng)
        if name in seen:
            continue
        seen.add(name)
        out.append(name)
    return out


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given
