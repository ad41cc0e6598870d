"""Made-up but plausible data for the demo: enterprise and project names, credit codes, documents.

Everything is drawn from a `random.Random` the caller seeds, so the same seed gives the same data.
The names are built from small word lists; any likeness to a real enterprise is a coincidence.
"""

from __future__ import annotations

import random

from accel666.policies.credit_code import ALPHABET, check_character, org_check_character

_BRANDS = (
    "恒润", "华芯", "中科", "新达", "远航", "鼎盛", "天工", "润泽", "博远", "金石", "长风", "瑞丰",
    "永兴", "同创", "海纳", "汇通", "正元", "东升", "协力", "精诚", "宏图", "祥和", "明德", "凯利",
    "晨光", "双星", "弘毅", "聚源", "嘉禾", "启航", "立信", "银河",
)
# What a demonstration enterprise makes: it moves its own plant onto the cloud.
_TRADES = (
    "智能装备", "精密机械", "新材料", "纺织", "化工", "电子科技", "汽车零部件", "光伏科技",
    "医药", "食品", "电缆", "特钢", "船舶配套", "家纺", "工程机械", "环保设备", "包装", "阀门",
)
# What a backbone or cloud-base enterprise sells: industrial-internet services.
_SERVICES = ("信息技术", "云计算", "数据科技", "工业互联网", "软件", "网络科技", "智能制造服务")
_FORMS = ("有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司")

_DEMO_TOPICS = (
    "设备联网与生产管理系统上云", "MES系统上云", "智能仓储物流上平台", "能耗在线监测上云",
    "供应链协同平台应用", "质量追溯系统上云", "研发设计协同上云", "设备预测性维护上平台",
    "ERP与生产数据打通上云", "数字化车间建设",
)
_BACKBONE_TOPICS = (
    "面向{trade}行业的工业互联网平台服务", "{trade}企业上云综合解决方案",
    "工业设备接入与数据采集服务", "中小企业数字化转型服务包", "工业APP开发与推广",
)

# Weights for spreading projects over the 16 regions, by division code (bigger economies file
# more); a region not listed gets weight 1.
REGION_WEIGHTS = {
    "320500": 6, "320100": 5, "320200": 5, "320400": 4, "320600": 4, "321200": 3, "321000": 3,
    "320300": 3, "321100": 2, "320900": 2, "320800": 2, "320700": 2, "321300": 2,
}

WITHDRAW_REASONS = (
    "企业经营调整,主动撤回申报", "项目实施主体变更,撤回后另行申报", "与其他专项资金重复申报,主动撤回",
    "项目建设计划推迟,主动撤回",
)
DECLINE_REASONS = (
    "申报材料中项目投资额与财务报表不符", "企业近三年存在环保处罚记录", "项目建设内容不属于工业互联网范畴",
    "企业上年度营业收入未达申报条件", "云服务合同未覆盖申报期",
)
PROVINCE_REJECT_REASONS = ("该项目已获2019年省级专项资金支持,不重复支持", "专家复核发现申报数据不实")
# The province's registry of experts: key, name, unit, and the region each must stay away from
# (the unit is there, or the expert advised its enterprises), if any.
EXPERTS = (
    ("zhang.wei", "张伟", "东南大学", None),
    ("li.na", "李娜", "南京大学", "320100"),
    ("wang.fang", "王芳", "江苏省信息中心", None),
    ("liu.yang", "刘洋", "中国信息通信研究院华东分院", None),
    ("chen.jing", "陈静", "南京理工大学", "320100"),
    ("zhao.lei", "赵磊", "江南大学", "320200"),
    ("sun.li", "孙丽", "苏州大学", "320500"),
)
COMMENTS = ("平台架构清晰,上云路径可行", "应用场景明确,效益测算偏乐观", "技术方案成熟",
            "示范带动作用明显", "数据安全措施需加强", "建设内容与申报类别相符")
RECUSAL_REASON = "本人近三年曾为该企业提供咨询服务,申请回避"
OPINIONS = ("同意推荐", "项目基础扎实,同意推荐", "符合申报条件,推荐", "示范带动作用明显,推荐")


def short_region(name: str) -> str:
    """南京市 -> 南京, 沭阳县 -> 沭阳: how the place appears inside an enterprise name."""
    return name[:-1] if name[-1] in "市县" else name


def enterprise_name(rng: random.Random, region_name: str, category: str) -> str:
    trades = _TRADES if category == "demo" else _SERVICES
    return f"{short_region(region_name)}{rng.choice(_BRANDS)}{rng.choice(trades)}{rng.choice(_FORMS)}"


def project_title(rng: random.Random, region_name: str, category: str) -> str:
    if category == "cloud-base":
        return f"{short_region(region_name)}工业互联网云服务中心(云基地)建设"
    if category == "backbone":
        return rng.choice(_BACKBONE_TOPICS).format(trade=rng.choice(_TRADES))
    return rng.choice(_DEMO_TOPICS)


def credit_code(rng: random.Random, region_code: str) -> str:
    """A valid 18-character unified social credit code registered in `region_code`.

    Market regulation (9), a company (1), the region's six digits, an organisation code (eight
    digits, or the newer "MA" form) with its own check character, and the final check character.
    """
    if rng.random() < 0.4:
        org = "MA" + "".join(rng.choice(ALPHABET) for _ in range(6))
    else:
        org = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = "91" + region_code + org + org_check_character(org)
    return first17 + check_character(first17)


def document(project_id: int, title: str, enterprise: str, code: str) -> tuple[bytes, str]:
    """A small stand-in for the application's electronic document, and its file name."""
    body = (
        "%PDF-1.4\n% accel666 demo application\n"
        f"% 项目: {title}\n% 申报单位: {enterprise}\n% 统一社会信用代码: {code}\n%%EOF\n"
    )
    return body.encode("utf-8"), f"申报书-{project_id}.pdf"
