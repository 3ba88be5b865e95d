"""The newer objects of a benchmark district (`manage.py scale_data --extras N`): N assistance
applications, N policies, N room bookings, N budget proposals and N ballots, spread over the
communities scale_data built, with bulk inserts and the same seed.

Each kind is left as its services would have left it: a policy's search windows are filled
(bulk_create skips ``save``), two holding bookings of one room never overlap (PostgreSQL's
exclusion constraint would refuse them anyway), every budget is closed with its proposals' votes
equal to the ballots' choices and its ranks and outcomes those of ``budgets.winners``.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from affairs.models import Policy, PolicyCategory
from budgets.models import Ballot, BallotChoice, Budget, Proposal
from budgets.winners import Candidate, choose_winners
from marketplace.search import bigrams
from relief.models import Application
from resources.models import Booking, Venue

POLICY_TOPICS = [
    ("高龄津贴", PolicyCategory.ELDERLY, "年满80周岁的本区户籍老人按月领取高龄津贴"),
    ("居家养老服务补贴", PolicyCategory.ELDERLY, "失能、半失能老人购买上门助餐、助浴、理发服务可申请补贴"),
    ("残疾人两项补贴", PolicyCategory.DISABILITY, "困难残疾人生活补贴和重度残疾人护理补贴"),
    ("城乡低保", PolicyCategory.MINIMUM_LIVING, "家庭人均收入低于当地低保标准的可申请最低生活保障"),
    ("公益性岗位", PolicyCategory.EMPLOYMENT, "就业困难人员可申请社区公益性岗位"),
    ("门诊慢特病报销", PolicyCategory.MEDICAL, "高血压、糖尿病等门诊慢特病按比例报销"),
    ("困难学生资助", PolicyCategory.EDUCATION, "低保家庭子女入学可申请助学金"),
    ("公租房申请", PolicyCategory.HOUSING, "住房困难家庭可申请公共租赁住房"),
    ("临时救助", PolicyCategory.OTHER, "因突发事件导致基本生活暂时困难的家庭可申请临时救助"),
]
ROOMS = [("文化活动室", 40), ("养老服务站活动厅", 25)]
PROPOSAL_IDEAS = ["加装楼道扶手", "小区健身器材更新", "老年食堂桌椅", "儿童游乐区改造", "雨棚维修", "非机动车充电桩", "社区图书角", "路灯增设"]


def build_extras(cmd, n: int) -> dict[str, int]:
    """``cmd`` is scale_data's command after it built people and tasks (its rng, communities,
    members_of, staff_of, now and batch); returns how many of each kind it wrote."""
    return {
        "applications": _applications(cmd, n),
        "policies": _policies(cmd, n),
        "bookings": _bookings(cmd, n),
        **_budgets(cmd, n),
    }


def _applications(cmd, n: int) -> int:
    rng, communities = cmd.rng, cmd.communities
    kinds = list(Application.Kind.values)
    statuses = [Application.Status.SUBMITTED, Application.Status.APPROVED, Application.Status.REJECTED, Application.Status.WITHDRAWN]
    rows = []
    for i in range(n):
        community = communities[i % len(communities)]
        applicant = rng.choice(cmd.members_of[community.pk])
        status = rng.choices(statuses, [35, 30, 20, 15])[0]
        decided = status in (Application.Status.APPROVED, Application.Status.REJECTED)
        rows.append(Application(
            community=community, applicant_id=applicant, submitted_by_id=applicant, tracking_no=f"SC{i:08d}",
            kind=rng.choice(kinds), reason="家中老人长期患病，收入不足以支付医药费。", household_size=rng.randint(1, 6),
            monthly_income=rng.randint(0, 400_000), status=status, decided_at=cmd.now - timedelta(days=rng.randint(0, 300)) if decided else None,
            decision_reason="经核查符合条件" if decided else "",
        ))
    Application.objects.bulk_create(rows, batch_size=cmd.batch)
    return len(rows)


def _policies(cmd, n: int) -> int:
    rng, communities = cmd.rng, cmd.communities
    rows = []
    for i in range(n):
        title, category, summary = POLICY_TOPICS[rng.randrange(len(POLICY_TOPICS))]
        community = None if i % 4 == 0 else communities[i % len(communities)]  # a quarter for the whole district
        year = 2020 + rng.randrange(7)
        full_title = f"{year}年{title}实施办法（第{i + 1}号）"
        body = f"{summary}。申请人持身份证、户口簿到社区服务站办理，材料齐全的十个工作日内答复。"
        rows.append(Policy(
            title=full_title, category=category, issuer="江北区民政局" if community is None else f"{community.name}居委会",
            summary=summary, body=body, effective_at=datetime(year, rng.randint(1, 12), 1).date(), community=community,
            search_grams=bigrams(f"{full_title}\n{summary}\n{body}"),  # bulk_create skips save()
            created_by_id=cmd.staff_of[communities[i % len(communities)].pk],
        ))
    Policy.objects.bulk_create(rows, batch_size=cmd.batch)
    return len(rows)


def _bookings(cmd, n: int) -> int:
    """Two rooms per community; each room's bookings fill 2-hour slots (9-11, 13-15, 18-20) day
    after day from two weeks ago, so this week's view of a room holds a few of them."""
    rng, communities = cmd.rng, cmd.communities
    venues = Venue.objects.bulk_create([
        Venue(community=c, name=name, capacity=capacity, opens=time(8), closes=time(21), max_hours=4, created_by_id=cmd.staff_of[c.pk])
        for c in communities for name, capacity in ROOMS
    ])
    tz = timezone.get_current_timezone()
    first_day = timezone.localtime(cmd.now, tz).date() - timedelta(days=14)
    statuses = [Booking.Status.CONFIRMED, Booking.Status.REQUESTED, Booking.Status.CANCELLED, Booking.Status.REFUSED]
    rows = []
    for i in range(n):
        venue = venues[i % len(venues)]
        slot = i // len(venues)
        day, hour = first_day + timedelta(days=slot // 3), (9, 13, 18)[slot % 3]
        starts = timezone.make_aware(datetime.combine(day, time(hour)), tz)
        rows.append(Booking(
            venue=venue, requester_id=rng.choice(cmd.members_of[venue.community_id]), starts_at=starts, ends_at=starts + timedelta(hours=2),
            purpose=rng.choice(["合唱团排练", "太极拳练习", "四点半课堂", "居民议事会", "书法班"]), attendees=rng.randint(5, 25),
            status=rng.choices(statuses, [60, 25, 10, 5])[0],
        ))
    Booking.objects.bulk_create(rows, batch_size=cmd.batch)
    return len(rows)


def _budgets(cmd, n: int) -> dict[str, int]:
    """One closed budget per community, n proposals and n ballots over them (one per voter)."""
    rng, communities, now = cmd.rng, cmd.communities, cmd.now
    budgets = Budget.objects.bulk_create([
        Budget(community=c, title=f"{c.name}民生实事项目票决", description="居民投票决定今年的民生实事项目", amount=500_000_00,
               voting_opens=now - timedelta(days=30), voting_closes=now - timedelta(days=2), closed_at=now - timedelta(days=1),
               closed_by_id=cmd.staff_of[c.pk], created_by_id=cmd.staff_of[c.pk])
        for c in communities
    ])
    proposals = Proposal.objects.bulk_create([
        Proposal(
            budget=budgets[i % len(budgets)], title=f"{rng.choice(PROPOSAL_IDEAS)}（{i + 1}）", text="方案、预算与施工周期见附件。",
            cost=rng.randint(20, 200) * 1000_00, proposer_id=rng.choice(cmd.members_of[communities[i % len(budgets)].pk]),
            status=rng.choices([Proposal.Status.FEASIBLE, Proposal.Status.INFEASIBLE], [85, 15])[0],
        )
        for i in range(n)
    ], batch_size=cmd.batch)
    feasible: dict[int, list[Proposal]] = {b.pk: [] for b in budgets}
    for p in proposals:
        if p.status == Proposal.Status.FEASIBLE:
            feasible[p.budget_id].append(p)
    # Ballots: each voter once per budget, as many as the community has people (so perhaps fewer than n).
    voters = {b.pk: rng.sample(cmd.members_of[b.community_id], len(cmd.members_of[b.community_id])) for b in budgets}
    ballots, picks = [], []
    for i in range(n):
        budget = budgets[i % len(budgets)]
        if not voters[budget.pk] or not feasible[budget.pk]:
            continue
        paper = rng.random() < 0.2
        ballots.append(Ballot(budget=budget, voter_id=voters[budget.pk].pop(), channel=Ballot.Channel.PAPER if paper else Ballot.Channel.ONLINE,
                              entered_by_id=cmd.staff_of[budget.community_id] if paper else None))
        options = feasible[budget.pk]
        picks.append(rng.sample(options, min(len(options), rng.randint(1, 3))))
    ballots = Ballot.objects.bulk_create(ballots, batch_size=cmd.batch)
    choices = []
    for ballot, chosen in zip(ballots, picks, strict=True):
        for p in chosen:
            choices.append(BallotChoice(ballot=ballot, proposal=p))
            if ballot.channel == Ballot.Channel.PAPER:
                p.votes_paper += 1
            else:
                p.votes_online += 1
    BallotChoice.objects.bulk_create(choices, batch_size=cmd.batch)
    # The close: ranks and outcomes as budgets.winners gives them; not feasible: not on the ballot.
    for budget in budgets:
        candidates = [Candidate(p.pk, p.votes_online + p.votes_paper, p.cost) for p in feasible[budget.pk]]
        result = {r.id: r for r in choose_winners(budget.amount, candidates)}
        for p in feasible[budget.pk]:
            p.rank, p.outcome = result[p.pk].rank, result[p.pk].outcome
    for p in proposals:
        if p.status == Proposal.Status.INFEASIBLE:
            p.outcome = Proposal.Outcome.NOT_ON_BALLOT
    Proposal.objects.bulk_update(proposals, ["votes_online", "votes_paper", "rank", "outcome"], batch_size=cmd.batch)
    return {"proposals": len(proposals), "ballots": len(ballots)}
