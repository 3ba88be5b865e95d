"""Demo data for 基层事务信息公开 (the Jiangbei report's platform: 惠民政策, 便民服务事项, 惠民资金, the
群团公益基金, 监督举报). Loaded by ``load_demo`` after the communities, people and projects exist;
idempotent: each row is found by its name before it is made, through the services."""

from datetime import date

from accounts.models import Community, User
from affairs import services
from affairs.models import Fund, Policy, Report, ServiceItem
from marketplace.models import Project

ISSUERS = {
    "elderly": "江北区民政局", "disability": "江北区残疾人联合会", "minimum_living": "江北区民政局",
    "employment": "江北区人力资源和社会保障局", "medical": "江北区医疗保障局", "education": "江北区教育委员会",
}

# (name, category, where, how to apply, documents, online action), for each demo community.
SERVICE_ITEMS = [
    ("高龄津贴申领", "elderly", "社区便民服务中心 1 号窗口", "年满 80 周岁的户籍老人本人或家属到窗口填写申请表，社区初审后报街道审核，次月起按月发放。",
     "身份证、户口簿、本人银行卡（社保卡）", "need"),
    ("居家养老服务补贴申请", "elderly", "社区便民服务中心 1 号窗口", "失能、半失能或独居老人向社区提出申请，经评估后由服务机构上门服务。",
     "身份证、户口簿、失能评估表", "need"),
    ("残疾人两项补贴申请", "disability", "社区便民服务中心 2 号窗口", "持证残疾人向社区申请困难残疾人生活补贴和重度残疾人护理补贴。",
     "身份证、残疾人证、户口簿、银行卡", "assistance"),
    ("最低生活保障申请", "minimum_living", "社区便民服务中心 2 号窗口", "以家庭为单位提出申请，社区入户调查并张榜公示 7 天后报街道审批。",
     "家庭成员身份证、户口簿、收入证明、家庭财产申报表", "assistance"),
    ("就业困难人员认定", "employment", "社区就业服务站", "到社区就业服务站登记失业并申请认定，认定后可享受公益性岗位和社保补贴。",
     "身份证、就业创业证", "none"),
    ("城乡居民医保参保登记", "medical", "社区便民服务中心 3 号窗口", "每年 9 月至 12 月集中办理下一年度参保缴费。",
     "身份证、户口簿", "none"),
]

# (title, category, summary, since); issued for the whole district.
POLICIES = [
    ("江北区高龄津贴发放办法", "elderly", "户籍 80 周岁以上老人每月领取高龄津贴（高龄补贴），80-89 岁每月 50 元，90-99 岁每月 100 元，百岁以上每月 300 元。", date(2024, 1, 1)),
    ("江北区居家养老服务补贴实施细则", "elderly", "失能、半失能及独居老人按评估等级享受每月 200-600 元居家养老服务。", date(2024, 3, 1)),
    ("江北区社区老年食堂助餐补贴办法", "elderly", "60 周岁以上老人在社区老年食堂就餐每餐补贴 3 元，80 周岁以上补贴 5 元。", date(2025, 1, 1)),
    ("江北区特殊困难老人探访关爱制度", "elderly", "独居、空巢、失能老人每月至少一次上门探访，建立一人一档。", date(2023, 7, 1)),
    ("江北区适老化改造补助办法", "elderly", "经济困难的高龄、失能老人家庭适老化改造每户补助最高 3000 元。", date(2025, 5, 1)),
    ("江北区养老服务时间银行试点方案", "elderly", "低龄老人服务高龄老人，服务时长存入时间银行，日后兑换服务。", date(2025, 9, 1)),
    ("困难残疾人生活补贴和重度残疾人护理补贴办法", "disability", "低保家庭中的残疾人每月领取生活补贴，一级、二级重度残疾人每月领取护理补贴。", date(2024, 1, 1)),
    ("江北区残疾人辅助器具适配补贴办法", "disability", "持证残疾人适配轮椅、助听器等辅助器具，按目录给予补贴。", date(2024, 6, 1)),
    ("江北区残疾人就业创业扶持办法", "disability", "残疾人自主创业一次性补贴 5000 元，用人单位按比例安排就业给予奖励。", date(2023, 9, 1)),
    ("江北区残疾儿童康复救助实施办法", "disability", "0-14 岁残疾儿童康复训练每人每年最高补助 2 万元。", date(2025, 1, 1)),
    ("江北区重度残疾人托养服务补贴", "disability", "重度残疾人在托养机构托养每月补贴 500 元。", date(2024, 4, 1)),
    ("江北区城乡最低生活保障实施办法", "minimum_living", "家庭月人均收入低于当地低保标准的，按差额发放低保金，城市低保标准每人每月 790 元。", date(2025, 7, 1)),
    ("江北区特困人员救助供养办法", "minimum_living", "无劳动能力、无生活来源、无法定赡养扶养义务人的老年人、残疾人和未成年人纳入特困供养。", date(2024, 1, 1)),
    ("江北区临时救助实施细则", "minimum_living", "因突发事件、意外伤害、重大疾病导致基本生活暂时困难的家庭给予临时救助。", date(2024, 8, 1)),
    ("江北区低保边缘家庭认定办法", "minimum_living", "家庭月人均收入在低保标准 1.5 倍以内的，认定为低保边缘家庭，享受专项救助。", date(2025, 3, 1)),
    ("低保对象动态管理与公示制度", "minimum_living", "低保对象每年复核，新增、退出名单在社区公示栏和信息公开平台公示 7 天。", date(2023, 1, 1)),
    ("江北区公益性岗位开发管理办法", "employment", "就业困难人员在社区公益性岗位就业，给予岗位补贴和社保补贴。", date(2024, 2, 1)),
    ("江北区高校毕业生就业见习补贴办法", "employment", "离校两年内未就业高校毕业生参加见习，按月给予见习补贴。", date(2025, 4, 1)),
    ("江北区创业担保贷款贴息办法", "employment", "个人创业最高可申请 30 万元创业担保贷款并享受贴息。", date(2024, 5, 1)),
    ("江北区职业技能培训补贴实施办法", "employment", "参加家政、养老护理等职业技能培训并取得证书的，按等级给予培训补贴。", date(2024, 10, 1)),
    ("江北区零工市场服务指引", "employment", "社区零工驿站免费提供岗位信息发布、求职登记和技能对接。", date(2025, 8, 1)),
    ("江北区城乡居民基本医疗保险参保办法", "medical", "城乡居民按年度参保缴费，困难群众个人缴费部分由政府资助。", date(2025, 9, 1)),
    ("江北区医疗救助实施办法", "medical", "低保、特困人员住院自付费用按 70%-100% 比例救助。", date(2024, 1, 1)),
    ("江北区家庭医生签约服务实施方案", "medical", "65 岁以上老人、慢性病患者优先签约家庭医生，享受健康管理和上门服务。", date(2024, 3, 1)),
    ("江北区门诊慢特病保障办法", "medical", "高血压、糖尿病等门诊慢特病按规定报销门诊费用。", date(2025, 1, 1)),
    ("江北区老年人免费健康体检项目", "medical", "65 岁以上常住老人每年免费健康体检一次。", date(2023, 5, 1)),
    ("江北区家庭经济困难学生资助办法", "education", "低保、特困、残疾人家庭子女从学前教育到高中阶段享受资助。", date(2024, 9, 1)),
    ("江北区困难家庭大学新生入学资助", "education", "困难家庭当年考入大学的新生给予一次性入学资助 5000 元。", date(2025, 7, 1)),
    ("江北区四点半课堂实施方案", "education", "社区联合志愿者为双职工家庭小学生提供放学后看护和课业辅导。", date(2024, 3, 1)),
    ("江北区随迁子女入学办法", "education", "持居住证的随迁子女按积分在居住地就近入学。", date(2025, 4, 1)),
    ("江北区社区教育与老年大学办学指引", "education", "社区老年大学开设书法、智能手机等课程，60 岁以上居民免费报名。", date(2024, 2, 1)),
]

# Which service item tells how to apply for which policy (by the policy's title).
POLICY_ITEMS = {
    "江北区高龄津贴发放办法": "高龄津贴申领", "江北区居家养老服务补贴实施细则": "居家养老服务补贴申请",
    "困难残疾人生活补贴和重度残疾人护理补贴办法": "残疾人两项补贴申请", "江北区城乡最低生活保障实施办法": "最低生活保障申请",
    "江北区公益性岗位开发管理办法": "就业困难人员认定", "江北区城乡居民基本医疗保险参保办法": "城乡居民医保参保登记",
}

# (community or None for the district, name, source, yuan, year, [(date, yuan, what, project title?)])
FUNDS = [
    (None, "2026 年江北区惠民资金 · 高龄津贴", "government", 3_600_000, 2026,
     [(date(2026, 3, 10), 880_000, "一季度高龄津贴发放（全区）", None), (date(2026, 6, 10), 885_000, "二季度高龄津贴发放（全区）", None)]),
    (None, "群团公益基金", "charity", 5_000_000, 2026,
     [(date(2026, 2, 20), 300_000, "孵化社会组织项目启动资金（暖洋洋、幸福加、新扬）", None), (date(2026, 5, 15), 120_000, "社工人才培训", None)]),
    ("锣旗寺社区", "2026 年锣旗寺社区惠民资金 · 居家养老", "government", 240_000, 2026,
     [(date(2026, 4, 8), 36_000, "独居老人助餐补贴（4 月）", None), (date(2026, 9, 1), 58_000, "适老化改造（扶手、防滑垫 12 户）", None),
      (date(2026, 11, 5), 80_000, "独居老人关爱服务", "独居老人关爱服务项目（2027 年度）")]),
    ("锣旗寺社区", "群团公益基金 · 锣旗寺社区微项目", "charity", 50_000, 2026,
     [(date(2026, 6, 1), 12_500, "四点半课堂文具与绘本", None)]),
    ("东原社区", "2026 年东原社区惠民资金 · 助残", "government", 120_000, 2026,
     [(date(2026, 5, 20), 24_000, "残疾人辅助器具适配", None)]),
    ("唐桂社区", "2026 年唐桂社区惠民资金 · 低保家庭慰问", "government", 60_000, 2026,
     [(date(2026, 1, 20), 18_000, "春节困难家庭慰问", None)]),
]

# (community, author username, subject, text, anonymous, status, reply, public)
REPORTS = [
    ("锣旗寺社区", "luoqisi_resident", "低保名单公示时间太短", "今年低保新增名单只在公示栏贴了两天就撤了，希望按规定公示 7 天。", True, "resolved",
     "经核实公示时间不足，已重新公示 7 天并在信息公开平台同步发布。", True),
    ("锣旗寺社区", "luoqisi_volunteer", "助餐点饭菜分量减少", "近一个月老年食堂的菜量明显变少，补贴是否足额用到了老人身上？", False, "in_progress",
     "已联系供餐单位核查近一个月的采购单据，结果将在本页公开。", False),
    ("锣旗寺社区", "luoqisi_resident", "5 栋楼道灯坏了三个月", "晚上老人上下楼很危险。", False, "received", "", False),
    ("东原社区", "dongyuan_resident", "有人冒领高龄津贴", "楼上去世老人的高龄津贴似乎还在发放。", True, "unfounded",
     "经与民政部门核对，该老人津贴已于去世次月停发，举报情况不属实。感谢监督。", True),
]


def load(*, admin: User, communities: dict[str, Community]) -> None:
    staff = {c.name: User.objects.filter(memberships__community=c, memberships__role="staff").order_by("pk").first() for c in communities.values()}
    items: dict[str, ServiceItem] = {}
    # The district's items (what a district-wide policy points to), then each community's own.
    for name, category, where, how, documents, online in SERVICE_ITEMS:
        item = ServiceItem.objects.filter(community=None, name=name).first()
        items[name] = item or services.service_item_create(
            actor=admin, name=name, category=category, where=f"所在社区{where}", how_to_apply=how, documents=documents, online_action=online,
        )
    for community in communities.values():
        for name, category, where, how, documents, online in SERVICE_ITEMS:
            if not ServiceItem.objects.filter(community=community, name=name).exists():
                services.service_item_create(
                    actor=staff[community.name] or admin, name=name, category=category, where=f"{community.name}{where}", how_to_apply=how,
                    documents=documents, community=community, online_action=online,
                )
    for title, category, summary, since in POLICIES:
        if not Policy.objects.filter(title=title).exists():
            item = items.get(POLICY_ITEMS.get(title, ""))
            services.policy_create(
                actor=admin, title=title, category=category, issuer=ISSUERS[category], summary=summary,
                body=f"{summary}\n\n申请人到所在社区便民服务中心提出申请，社区受理后按程序审核、公示。", effective_at=since,
                url="https://www.cqjb.gov.cn/", service_item=item,
            )
    for community_name, name, source, yuan, year, lines in FUNDS:
        community = communities.get(community_name) if community_name else None
        fund = Fund.objects.filter(name=name).first()
        actor = staff.get(community_name) if community_name else admin
        if fund is None:
            fund = services.fund_create(actor=actor or admin, name=name, source=source, amount=yuan * 100, year=year, community=community)
        if not fund.lines.exists():
            for at, line_yuan, what, project_title in lines:
                project = Project.objects.filter(title=project_title).first() if project_title else None
                services.spending_line_record(actor=actor or admin, fund=fund, amount=line_yuan * 100, what=what, at=at, project=project)
    for community_name, username, subject, text, anonymous, status, reply, public in REPORTS:
        if Report.objects.filter(subject=subject).exists():
            continue
        report = services.report_create(actor=User.objects.get(username=username), community=communities[community_name], subject=subject,
                                        text=text, anonymous=anonymous)
        if status != "received":
            services.report_reply(actor=staff[community_name] or admin, report=report, reply=reply, status=status, public=public)
