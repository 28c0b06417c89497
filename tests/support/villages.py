"""Valid village bodies for tests, with codes unique within the session."""

from __future__ import annotations

import itertools
import random

_serial = itertools.count(random.randrange(100_000, 800_000))


def village_body(district: str = "120119", **overrides) -> dict:
    body = {
        "code": f"{district}{next(_serial):06d}",
        "name": "测试村",
        "district": district,
        "town": "测试镇",
        "village_type": "农业种养型",
        "income_2018": "120000.00",
        "income_2019": "135000.50",
        "income_2020": 150000,
    }
    body.update(overrides)
    return body
