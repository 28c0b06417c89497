"""The five support actions (五大扶持行动) and 19 key tasks (19项重点扶持任务).

The seed names the actions but not the tasks; this is the programme office's catalogue
as first issued. The assessment service ships it as version 1 of an editable catalogue:
later versions are events, and history keeps what was in force when.
"""

from __future__ import annotations

ACTIONS: list[dict] = [
    {"code": "industry", "name_zh": "产业扶持", "name_en": "Industry", "tasks": [
        (1, "引进和培育产业项目", "Industry projects introduced and cultivated"),
        (2, "联农带农利益联结", "Benefit linkage with farmers"),
        (3, "村集体经营性收入达到20万元以上", "Collective operating income of at least 200,000 yuan a year"),
    ]},
    {"code": "ecology", "name_zh": "生态扶持", "name_en": "Ecology", "tasks": [
        (4, "道路建设", "Roads"),
        (5, "饮水及农村供水工程建设和运行管理", "Drinking water and rural water supply"),
        (6, "电力设施", "Electricity"),
        (7, "数字乡村", "Digital village"),
        (8, "村级党群服务中心", "Village party-and-people service centre"),
        (9, "人居环境整治提升", "Living-environment improvement"),
        (10, "生活污水治理", "Domestic sewage treatment"),
    ]},
    {"code": "culture", "name_zh": "文化扶持", "name_en": "Culture", "tasks": [
        (11, "公共文化设施", "Public culture facilities"),
        (12, "移风易俗与村规民约", "Customs reform and village rules"),
        (13, "文明创建", "Civilisation campaigns"),
        (14, "传统文化保护与特色文化品牌", "Traditional culture and characteristic cultural brands"),
    ]},
    {"code": "organisation", "name_zh": "组织扶持", "name_en": "Organisation", "tasks": [
        (15, "村党组织建设", "Village party organisation building"),
        (16, "第一书记和工作队帮带", "First secretary and team mentoring"),
        (17, "自治法治德治相结合的乡村治理", "Governance combining self-government, rule of law and rule of virtue"),
    ]},
    {"code": "talent", "name_zh": "人才扶持", "name_en": "Talent", "tasks": [
        (18, "农业科技服务、农民培训与转移就业", "Agricultural technology, farmer training and transfer employment"),
        (19, "低收入群体保障（医保、教育资助、危房改造）", "Protection of low-income households: medical insurance, education aid, housing renovation"),
    ]},
]

ACTION_OF_TASK: dict[int, str] = {no: a["code"] for a in ACTIONS for no, _, _ in a["tasks"]}
TASK_NAMES: dict[int, tuple[str, str]] = {no: (zh, en) for a in ACTIONS for no, zh, en in a["tasks"]}

# 村集体经营性收入目标（分）: every weak village at or above 200,000 yuan a year.
INCOME_TARGET_FEN = 200_000 * 100
