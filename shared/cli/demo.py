"""``xingcun demo``: load a sample into the running stack and print where to look.

For now the sample is a few hundred villages registered through the registry's API;
the Tianjin scenario replaces it once the services are complete.
"""

from __future__ import annotations

import random
import time

import httpx
import typer
from rich.console import Console
from rich.progress import Progress

from shared.config import get_settings
from shared.http.auth import Principal, Role, issue_token
from shared.reference.places import DISTRICTS, VillageType

console = Console()


def demo(
    villages: int = typer.Option(300, min=1, max=10_000, help="样本村数 / villages in the sample"),
    seed: int = typer.Option(2021, help="随机种子 / random seed"),
) -> None:
    """载入示例数据并打印访问地址 / load a sample and print the URLs."""
    settings = get_settings()
    rng = random.Random(seed)
    token = issue_token(settings, Principal(subject="demo", role=Role.city_office))
    registry = f"http://127.0.0.1:{settings.registry_port}"
    publicity = f"http://127.0.0.1:{settings.publicity_port}"
    districts = list(DISTRICTS)
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30) as client, Progress(console=console) as bar:
        task = bar.add_task("登记村 registering villages", total=villages)
        for i in range(villages):
            district = districts[i % len(districts)]
            base = rng.lognormvariate(11.8, 0.9)
            body = {
                "code": f"{district}{i + 1:06d}",
                "name": f"示例{i + 1}村",
                "district": district,
                "town": f"示例{i % 7 + 1}镇",
                "village_type": rng.choice(list(VillageType)).value,
                **{f"income_{y}": f"{base * (1 + 0.05 * k):.2f}" for k, y in enumerate((2018, 2019, 2020))},
            }
            r = client.post(f"{registry}/villages", json=body, headers={"Idempotency-Key": f"demo-village-{body['code']}"})
            if r.status_code not in (200, 201):
                console.print(f"[red]{r.status_code} {r.text}[/red]")
                raise typer.Exit(1)
            bar.advance(task)
    time.sleep(1.0)
    overview = httpx.get(f"{publicity}/stats/overview", timeout=10).json()
    console.print(f"\n行政村总数 / villages registered: [bold]{overview['villages_total']}[/bold]")
    for service in ("registry", "funding", "assessment", "publicity"):
        console.print(f"  {service:<11} http://127.0.0.1:{settings.port(service)}/docs")
    console.print(f"  统计总览 overview  {publicity}/stats/overview")
