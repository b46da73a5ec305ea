"""An invented news site with reprints (issue #22), written by us: one wire story in
six copies (a new headline, a source line, a traditional-script copy, a paragraph added,
a paragraph removed), the same template a year later, two short notices with one body,
and other stories, in two categories and a few tags. Its fixtures (``story_built``,
``story_index``, ``story_client``) are a pytest plugin of ``conftest.py``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import opencc
import pytest
from flask.testing import FlaskClient

from searcher.index import Index
from searcher.web import create_app
from searchutil import post, write_corpus

#: The wire story's paragraphs (our own text).
PARAGRAPHS = [
    "记者从省交通运输厅获悉，连接江北新区与临港工业园的跨江大桥今天上午正式通车，"
    "全长十二点六公里，设计时速一百公里，两地车程由原来的一个半小时缩短到二十分钟。",
    "据介绍，大桥建设历时四年，先后攻克深水基础施工、超长钢箱梁吊装等技术难题，"
    "主塔高度二百八十米，采用自主研发的智能监测系统，可实时感知风速、温度和车流变化。",
    "通车仪式上，施工单位代表介绍，项目累计带动就业一万两千余人次，"
    "沿线三个乡镇新建了物流园区和农产品集散中心，当地特色水产可以当天运抵城区市场。",
    "交通部门提醒，通车初期大桥实行分车道限速管理，货车须走右侧两条车道，"
    "遇到大雾、大风等恶劣天气时将临时封闭，请驾驶人提前关注交通广播和导航提示。",
]
#: A paragraph added by one outlet (our own text).
ADDED = "业内人士认为，随着跨江通道不断加密，两岸产业协作将更加紧密，区域一体化进程有望提速。"

BODY = "\n\n".join(PARAGRAPHS)

#: The posts of one story group, by file name (the group's key is the first).
GROUP = [
    "_posts/2024-05-10-bridge.md",
    "_posts/2024-05-10-bridge-headline.md",
    "_posts/2024-05-10-bridge-source.md",
    "_posts/2024-05-11-bridge-added.md",
    "_posts/2024-05-11-bridge-removed.md",
    "_posts/2024-05-12-bridge-traditional.md",
]


def site_posts() -> dict[str, str]:
    """``{path: text}`` of the site's posts."""
    s2t = opencc.OpenCC("s2t")
    bridge = "categories: [交通]\ntags: [基建, 大桥]\n"
    other = "categories: [经济]\ntags: [基建]\n"
    removed = "\n\n".join(p for i, p in enumerate(PARAGRAPHS) if i != 2)
    return {
        GROUP[0]: post("跨江大桥今天通车", BODY, "2024-05-10 10:00:00 +0800", bridge),
        GROUP[1]: post("两地车程缩短到二十分钟", BODY, "2024-05-10 12:00:00 +0800", other),
        GROUP[2]: post(
            "跨江大桥正式通车", BODY + "\n\n（来源：新华社）", "2024-05-10 15:00:00 +0800", bridge
        ),
        GROUP[3]: post(
            "大桥通车 两岸协作提速", BODY + "\n\n" + ADDED, "2024-05-11 09:00:00 +0800", other
        ),
        GROUP[4]: post("跨江大桥通车（简讯）", removed, "2024-05-11 18:00:00 +0800", bridge),
        GROUP[5]: post(
            s2t.convert("跨江大桥今天通车"), s2t.convert(BODY), "2024-05-12 08:00:00 +0800", bridge
        ),
        # the same text a year later: another bridge, another story
        "_posts/2025-05-10-bridge-again.md": post(
            "又一座跨江大桥通车", BODY, "2025-05-10 10:00:00 +0800", bridge
        ),
        # two short notices with one body: never grouped (too short to tell)
        "_posts/2024-05-10-notice-a.md": post(
            "封闭通知", "大桥今晚封闭施工。", "2024-05-10 20:00:00 +0800", bridge
        ),
        "_posts/2024-05-10-notice-b.md": post(
            "施工通知", "大桥今晚封闭施工。", "2024-05-10 21:00:00 +0800", bridge
        ),
        "_posts/2024-05-13-port.md": post(
            "临港工业园新签约十个项目",
            "临港工业园今天集中签约十个项目，总投资超过八十亿元，涉及新能源装备、"
            "冷链物流和水产加工。园区负责人表示，跨江大桥通车后，园区到城区的物流成本"
            "明显下降，企业投资意愿增强。",
            "2024-05-13 10:00:00 +0800",
            other,
        ),
        "_posts/2024-05-14-fish.md": post(
            "特色水产当天运抵城区",
            "大桥通车后，沿江乡镇的特色水产实现当天运抵城区市场，农户收入增加。"
            "农产品集散中心负责人说，冷链车辆每天往返三趟，鲜鱼价格比以前更稳定。",
            "2024-05-14 10:00:00 +0800",
            "categories: [经济]\ntags: [农业]\n",
        ),
        "_posts/2024-05-15-rain.md": post(
            "全省迎来强降雨",
            "受冷空气影响，全省今明两天将迎来强降雨，气象部门发布暴雨蓝色预警，"
            "提醒公众减少外出，注意防范城市内涝和山体滑坡。",
            "2024-05-15 10:00:00 +0800",
            "categories: [天气]\n",
        ),
    }


def write_site(root: Path) -> Path:
    """Write the site's posts under ``root/corpus`` and return that folder."""
    return write_corpus(root, site_posts())


def doc_id(path: str) -> str:
    """The post id of a file of the site (its path without the extension)."""
    return path.rsplit(".", 1)[0]


@pytest.fixture(scope="module")
def story_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site indexed, once per test module: the index folder."""
    root = tmp_path_factory.mktemp("storysite")
    Index.build(root / "index", write_site(root))
    return root / "index"


@pytest.fixture(scope="module")
def story_index(story_built: Path) -> Iterator[Index]:
    """The site's index, open."""
    with Index.open(story_built) as opened:
        yield opened


@pytest.fixture(scope="module")
def story_client(story_index: Index) -> FlaskClient:
    """The search app of the site's index (Flask's test client)."""
    return create_app(story_index).test_client()
