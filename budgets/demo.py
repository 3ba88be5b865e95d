"""Demo data for 民生实事项目票决 and 通存通兑 (#34): 锣旗寺社区's ¥50,000 budget with six proposals,
votes on the phone and on paper, closed with its winners (the first one funded and open for bids);
an alliance of 锣旗寺社区 and 东原社区, and 李建国 (a volunteer of 锣旗寺社区) who picks up a haircut
voucher in 东原社区's supermarket with points earned at home.

Loaded by ``load_demo`` after the communities, people and points exist; idempotent: each thing is
found before it is made, and everything is made through the services."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Community, Membership, User
from budgets import services
from budgets.models import Budget, Proposal
from points import services as points_services
from points.models import Redemption, Reward

TITLE = "2026 年锣旗寺社区民生实事项目"
YUAN = 100
# (title, what it is, cost in yuan, proposer, feasible, reason)
PROPOSALS = [
    ("老旧小区加装扶手和坡道", "为 3、5、7 栋单元门口加装扶手和无障碍坡道，方便老人和轮椅出行。", 18_000, "luoqisi_resident", True, "已请街道规划办现场查看，可行。"),
    ("社区老年食堂助餐点", "在活动中心一楼开设助餐点，每天供应午餐，高龄老人送餐上门。", 22_000, "luoqisi_volunteer", True, "活动中心一楼有场地，可行。"),
    ("儿童四点半课堂", "放学后为双职工家庭的孩子提供作业辅导和阅读，大学生志愿者授课。", 9_000, "luoqisi_resident", True, "可行。"),
    ("小区路灯更换为 LED", "更换 40 盏老旧路灯，夜里出行更安全。", 12_000, "luoqisi_volunteer", True, "可行。"),
    ("楼道智能烟感报警器", "为 120 户独居老人家庭安装联网烟感报警器。", 8_000, "luoqisi_resident", True, "可行。"),
    ("修建地下停车场", "在小区中心花园下修建地下停车场。", 48_000, "luoqisi_resident", False, "投资远超本次额度，且需规划审批，不在社区民生实事范围内。"),
]
# Online and paper ballots: (voter number, proposal numbers); 1–14 vote on the phone, 15–22 on paper.
BALLOTS = [
    (1, [0, 1]), (2, [0, 1]), (3, [1, 2]), (4, [1, 3]), (5, [0, 2, 4]), (6, [1]), (7, [0, 4]), (8, [2, 3, 4]),
    (9, [1, 4]), (10, [0, 3]), (11, [1, 2]), (12, [4]), (13, [0, 1]), (14, [3, 4]),
    (15, [0, 1]), (16, [1, 4]), (17, [0, 2]), (18, [1]), (19, [0, 4]), (20, [1, 3]), (21, [2, 4]), (22, [0, 1]),
]
PAPER_FROM = 15
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁"


def _voters(make_user, community: Community, staff: User) -> dict[int, User]:
    voters = {}
    for n in range(1, 23):
        user = make_user(f"luoqisi_voter{n}", f"{SURNAMES[n - 1]}阿姨（居民）" if n % 2 else f"{SURNAMES[n - 1]}大爷（居民）")
        Membership.objects.get_or_create(user=user, community=community, role=Membership.Role.RESIDENT, defaults={"added_by": staff})
        voters[n] = user
    return voters


def _budget(make_user, community: Community) -> Budget:
    staff = User.objects.get(username="luoqisi_staff")
    budget = Budget.objects.filter(community=community, title=TITLE).first()
    if budget is not None:
        return budget
    voters = _voters(make_user, community, staff)
    now = timezone.now()
    budget = services.budget_create(
        actor=staff, community=community, title=TITLE, amount=50_000 * YUAN, voting_opens=now + timedelta(days=1),
        voting_closes=now + timedelta(days=15), max_choices=3,
        description="居民需要什么服务，就提供什么项目：居民提出项目，社区审核可行性，全体居民线上或到活动中心纸质投票。",
    )
    proposals = []
    for title, text, cost, username, feasible, reason in PROPOSALS:
        proposal = services.proposal_create(actor=User.objects.get(username=username), budget=budget, title=title, text=text, cost=cost * YUAN)
        proposals.append(services.proposal_review(actor=staff, proposal=proposal, feasible=feasible, reason=reason))
    # The demo's month: proposals taken, then two weeks of voting (as if they had passed).
    Budget.objects.filter(pk=budget.pk).update(voting_opens=now - timedelta(days=20), voting_closes=now + timedelta(days=1))
    budget.refresh_from_db()
    for n, chosen in BALLOTS:
        ids = [proposals[i].pk for i in chosen]
        if n < PAPER_FROM:
            services.ballot_cast(actor=voters[n], budget=budget, proposal_ids=ids)
        else:
            services.ballot_cast(actor=staff, budget=budget, proposal_ids=ids, on_behalf_of=voters[n])
    services.budget_close(actor=staff, budget=budget)
    first = Proposal.objects.filter(budget=budget, outcome=Proposal.Outcome.WON).order_by("rank").first()
    services.proposal_fund(actor=staff, proposal=first, bid_deadline=now + timedelta(days=21))
    budget.refresh_from_db()
    return budget


def _alliance(admin: User, luoqisi: Community, dongyuan: Community) -> None:
    if points_services.alliance_of(luoqisi.pk) is None:
        points_services.alliance_create(actor=admin, community_ids=[luoqisi.pk, dongyuan.pk], name="锣旗寺—东原积分通存通兑联盟")
    dongyuan_staff = User.objects.get(username="dongyuan_staff")
    voucher = Reward.objects.filter(community=dongyuan, name="社区理发券").first()
    if voucher is None:
        voucher = points_services.reward_create(actor=dongyuan_staff, community=dongyuan, name="社区理发券", cost=30, stock=40,
                                                description="东原社区爱心理发店，凭券理发一次。")
    volunteer = User.objects.get(username="luoqisi_volunteer")
    if not Redemption.objects.filter(user=volunteer, reward=voucher).exists():
        points_services.redemption_reserve(actor=volunteer, reward=voucher, quantity=1)


def load(*, admin: User, communities: dict[str, Community], make_user) -> None:
    _budget(make_user, communities["锣旗寺社区"])
    _alliance(admin, communities["锣旗寺社区"], communities["东原社区"])
