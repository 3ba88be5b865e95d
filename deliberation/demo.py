"""Demo data for 百姓管家 · 议事协商 and conduct points, from the source story: 锣旗寺社区 (about 1,700
households) chose 16 stewards; their quarter's meeting passed the 文明养犬 convention 12–2–2, which
residents sign; conduct rules pay points for keeping it, each award approved by a second staff member.

Loaded by ``config/management/commands/load_demo.py`` (which passes its ``make_user``, the demo
password) after the communities, people and points budgets exist. Idempotent: each row is found by
its natural key before it is made, and everything is made through the services."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Community, Membership, User
from deliberation import services
from deliberation.models import ConductAward, ConductRule, Convention, ConventionSignature, Issue, Meeting, Motion, MotionVote, Steward

HOUSEHOLDS = 1700
STEWARDS = [
    "刘德华", "陈秀英", "王建平", "李淑芬", "张国强", "赵玉兰", "黄志明", "周桂英",
    "吴海涛", "徐丽娟", "孙长河", "胡凤仙", "朱学文", "高秀云", "林永福", "何翠萍",
]
ISSUES = [
    ("文明养犬", "rules", "小区里遛狗不拴绳、狗粪不清理，老人和孩子害怕，邻里多次发生争执。"),
    ("高空抛物", "management", "5 栋、7 栋多次有人从楼上扔垃圾和烟头，险些砸到行人。"),
    ("楼道杂物堆放", "public_affairs", "老旧楼道堆满纸箱、旧家具，堵住消防通道。"),
    ("电动车进楼充电", "management", "有居民把电动车推进楼道、拉线充电，存在火灾隐患。"),
]
CONVENTION = """一、遛狗时牵好狗绳，大型犬佩戴嘴套，主动避让老人和孩子。
二、随身携带拾便袋，及时清理犬只粪便。
三、按规定为犬只办理登记、接种狂犬疫苗。
四、犬只不进入儿童游乐区和健身区，晚上十点后不在楼下遛狗。
五、邻里之间相互提醒，发生纠纷找百姓管家或社区调解。"""
MINUTES = """本季度百姓管家议事会应到 16 人，实到 16 人。
议题一“文明养犬”：经讨论，表决通过《锣旗寺社区文明养犬公约》（赞成 12 票，反对 2 票，弃权 2 票），由社区张贴公示，请居民签署，遵守公约的居民按积分规则获得文明积分。
议题二“高空抛物”：先行在 5 栋、7 栋安装提示牌，由百姓管家入户宣传，下季度再议。"""
VOTES = ["for"] * 12 + ["against"] * 2 + ["abstain"] * 2
RULES = [("文明养犬", 10, True), ("清理楼道杂物", 5, False), ("劝导高空抛物", 5, False)]


def _member(make_user, community: Community, username: str, name: str, role: str) -> User:
    user = make_user(username, name)
    Membership.objects.get_or_create(user=user, community=community, role=role)
    return user


def load(*, make_user, communities: dict[str, Community]) -> None:
    luoqisi = communities["锣旗寺社区"]
    Community.objects.filter(pk=luoqisi.pk, households__isnull=True).update(households=HOUSEHOLDS)
    luoqisi.refresh_from_db()
    staff = User.objects.get(username="luoqisi_staff")
    director = _member(make_user, luoqisi, "luoqisi_director", "何主任（锣旗寺社区书记）", Membership.Role.STAFF)

    stewards = []
    for i, name in enumerate(STEWARDS, start=1):
        person = _member(make_user, luoqisi, f"luoqisi_steward{i:02d}", f"{name}（百姓管家）", Membership.Role.RESIDENT)
        if not Steward.objects.filter(community=luoqisi, user=person).exists():
            services.steward_appoint(actor=staff, community=luoqisi, user_id=person.pk)
        stewards.append(person)

    issues = {}
    for n, (title, category, text) in enumerate(ISSUES):
        issue = Issue.objects.filter(community=luoqisi, title=title).first()
        if issue is None:
            issue = services.issue_collect(actor=stewards[n], community=luoqisi, title=title, text=text, category=category)
        issues[title] = issue

    # Last quarter's meeting: agenda, all 16 present, the 文明养犬 motion passed 12–2–2, minutes published.
    title = "2026年第三季度百姓管家议事会"
    meeting = Meeting.objects.filter(community=luoqisi, title=title).first()
    if meeting is None:
        meeting = services.meeting_call(actor=staff, community=luoqisi, title=title, starts_at=timezone.now() - timedelta(days=20),
                                        location="锣旗寺社区党群服务中心二楼会议室", issue_ids=[issues["文明养犬"].pk, issues["高空抛物"].pk])
        services.attendance_record(actor=staff, meeting=meeting, user_ids=[s.pk for s in stewards])
    motion = Motion.objects.filter(meeting=meeting, title="通过《锣旗寺社区文明养犬公约》").first()
    if motion is None:
        motion = services.motion_put(actor=staff, meeting=meeting, title="通过《锣旗寺社区文明养犬公约》", text=CONVENTION,
                                     issue_id=issues["文明养犬"].pk)
    if motion.status == Motion.Status.OPEN:
        for steward, vote in zip(stewards, VOTES, strict=True):
            if not MotionVote.objects.filter(motion=motion, user=steward).exists():
                services.motion_vote(actor=steward, motion=motion, vote=vote)
        motion = services.motion_close(actor=staff, motion=Motion.objects.select_related("meeting").get(pk=motion.pk))
    if meeting.status == Meeting.Status.CALLED:
        services.minutes_publish(actor=staff, meeting=meeting, text=MINUTES)
    convention = Convention.objects.filter(motion=motion).first()
    if convention is None:
        convention = services.convention_create(actor=staff, community=luoqisi, title="锣旗寺社区文明养犬公约", text=CONVENTION, motion_id=motion.pk)
    for steward in stewards[:10]:  # 张桂兰 (luoqisi_resident) has not signed yet: she does it in the demo
        if not ConventionSignature.objects.filter(convention=convention, user=steward).exists():
            services.convention_sign(actor=steward, convention=convention)

    # This quarter's meeting, called: the stewards read its agenda on the phone.
    upcoming = "2026年第四季度百姓管家议事会"
    if not Meeting.objects.filter(community=luoqisi, title=upcoming).exists():
        services.meeting_call(actor=staff, community=luoqisi, title=upcoming, starts_at=timezone.now() + timedelta(days=10),
                              location="锣旗寺社区党群服务中心二楼会议室", issue_ids=[issues["楼道杂物堆放"].pk, issues["电动车进楼充电"].pk])

    # Conduct rules, two awards approved by the director and one waiting for him.
    rules = {}
    for title, points, from_convention in RULES:
        rule = ConductRule.objects.filter(community=luoqisi, title=title).first()
        if rule is None:
            rule = services.conduct_rule_create(actor=staff, community=luoqisi, title=title, points=points,
                                                convention_id=convention.pk if from_convention else None)
        rules[title] = rule
    for rule_title, person, evidence, approve in [
        ("文明养犬", stewards[1], "每天遛狗牵绳并随手清理狗粪，邻居拍照反映。", True),
        ("清理楼道杂物", stewards[4], "带领 3 栋居民清理楼道纸箱和旧家具 2 车。", True),
        ("劝导高空抛物", stewards[6], "在 7 栋入户宣传 20 户，张贴提示牌。", False),
    ]:
        award = ConductAward.objects.filter(rule=rules[rule_title], user=person, evidence=evidence).first()
        if award is None:
            award = services.conduct_award_propose(actor=staff, rule=rules[rule_title], user_id=person.pk, evidence=evidence)
        if approve and award.status == ConductAward.Status.PENDING:
            services.conduct_award_approve(actor=director, award=award)
