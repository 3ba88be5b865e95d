"""Load the demo community of the README: 江北区, four streets, communities, organisations, people.

Idempotent: running it again finds everything in place and changes nothing (passwords of existing
demo accounts are left as they are). Later issues extend it with tasks, points and projects.
"""

from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts import services
from accounts.models import Community, District, Membership, Organization, OrganizationMember, Street, User
from accounts.validators import credit_code_check_character
from affairs import demo as affairs_demo
from budgets import demo as budgets_demo
from deliberation import demo as deliberation_demo
from demo.history import demo_user, load_history
from funds.models import Donation, Spending
from funds.services import spending_record
from marketplace import services as market
from marketplace.models import Consultation, Need, Project, Task
from marketplace.services import TaskFields, project_create, task_create
from orders.models import Bid, Claim
from orders.services import bid_submit, claim_create
from points import services as points_services
from points.models import Redemption, Reward
from relief import demo as relief_demo
from resources import demo as resources_demo

DEMO_PASSWORD = "demo-pass-2026"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin-pass-2026"

DISTRICT = "江北区"
# street -> communities (names from the Jiangbei report; a few added so each street has one)
STREETS = {
    "郭家沱街道": ["锣旗寺社区", "唐桂社区"],
    "大石坝街道": ["东原社区"],
    "铁山坪街道": ["东海岸社区"],
    "观音桥街道": ["观音桥社区"],
}

# username, display name, community, role
PEOPLE = [
    ("luoqisi_staff", "王晓梅（锣旗寺社区工作者）", "锣旗寺社区", Membership.Role.STAFF),
    ("luoqisi_volunteer", "李建国（志愿者）", "锣旗寺社区", Membership.Role.VOLUNTEER),
    ("luoqisi_resident", "张桂兰（居民）", "锣旗寺社区", Membership.Role.RESIDENT),
    ("tanggui_staff", "陈静（唐桂社区工作者）", "唐桂社区", Membership.Role.STAFF),
    ("tanggui_resident", "刘大爷（居民）", "唐桂社区", Membership.Role.RESIDENT),
    ("dongyuan_staff", "周敏（东原社区工作者）", "东原社区", Membership.Role.STAFF),
    ("dongyuan_volunteer", "赵小雨（志愿者）", "东原社区", Membership.Role.VOLUNTEER),
    ("dongyuan_resident", "孙阿姨（居民）", "东原社区", Membership.Role.RESIDENT),
    ("donghaian_staff", "吴强（东海岸社区工作者）", "东海岸社区", Membership.Role.STAFF),
    ("guanyinqiao_staff", "郑洁（观音桥社区工作者）", "观音桥社区", Membership.Role.STAFF),
    ("nuanyangyang_admin", "高老师（暖洋洋社工）", "锣旗寺社区", Membership.Role.VOLUNTEER),
    ("dashiba_chamber", "钱会长（大石坝街道商会）", "东原社区", Membership.Role.RESIDENT),
]
# The demo volunteer also lives in the community.
EXTRA_ROLES = [("luoqisi_volunteer", "锣旗寺社区", Membership.Role.RESIDENT)]


def _credit_code(first17: str) -> str:
    return first17 + credit_code_check_character(first17)


# name, kind, first 17 characters of the credit code, home community, admin username
ORGANIZATIONS = [
    ("重庆暖洋洋社会工作服务中心", Organization.Kind.SOCIAL_WORK_AGENCY, "52500105MJP58421X", "锣旗寺社区", "nuanyangyang_admin"),
    ("大石坝街道商会", Organization.Kind.BUSINESS_ASSOCIATION, "51500105MJQ00731A", "东原社区", "dashiba_chamber"),
    ("原集社区发展中心", Organization.Kind.SOCIAL_ORGANIZATION, "52500105MJP60222C", "东原社区", "dongyuan_volunteer"),
]


# name, cost, stock, per-person limit, description (锣旗寺社区's points supermarket)
REWARDS = [
    ("洗洁精", 20, 50, 2, "家用洗洁精一瓶"),
    ("大米 5kg", 150, 20, 1, "本地大米一袋"),
    ("理发券", 50, 30, 2, "社区便民理发点使用"),
    ("血压计借用一周", 30, 5, None, "社区卫生服务站提供"),
]


# community, staff, title, category, days from today, hour, length in hours, slots, points, place, skills, beneficiary
DEMO_TASKS = [
    ("锣旗寺社区", "luoqisi_staff", "陪伴独居老人聊天读报", "elder_care", 2, 9, 2, 2, 20, "锣旗寺社区 5 栋 2 单元", ["陪护"], "luoqisi_resident"),
    ("锣旗寺社区", "luoqisi_staff", "文明养犬宣传劝导", "environment", 3, 15, 2, 6, 15, "锣旗寺社区中心广场", [], None),
    ("锣旗寺社区", "luoqisi_staff", "帮老人修理水龙头", "repair", 4, 10, 1, 1, 25, "锣旗寺社区 2 栋", ["维修"], "luoqisi_resident"),
    ("锣旗寺社区", "luoqisi_staff", "“百姓管家”议事会记录员", "other", 6, 19, 2, 1, 10, "社区议事堂", ["摄影"], None),
    ("东原社区", "dongyuan_staff", "“原聚场”少儿合唱排练助教", "culture", 2, 16, 2, 3, 15, "东原社区“原聚场”市民活动中心", [], None),
    ("东原社区", "dongyuan_staff", "陪同助残出行复查", "disability", 5, 8, 3, 1, 30, "东原社区服务站", ["陪护"], "dongyuan_resident"),
]


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo logins."
    # `make run` has just run `migrate`, which ran the system checks; running them again costs
    # a second and a half of every start.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, **options):
        # No live pushes while loading: nobody watches a board being filled, and each push (two
        # per claim) costs a thread hop into the channel layer, seconds in all. Without a layer
        # ``core.realtime.send_now`` returns at once.
        with override_settings(CHANNEL_LAYERS={}):
            self._load(**options)

    @transaction.atomic
    def _load(self, **options):
        admin = self._admin()
        communities = self._places()
        for username, display_name, community_name, role in PEOPLE:
            user = self._user(username, display_name)
            self._membership(user, communities[community_name], role, admin)
        for username, community_name, role in EXTRA_ROLES:
            self._membership(User.objects.get(username=username), communities[community_name], role, admin)
        for name, kind, first17, community_name, admin_username in ORGANIZATIONS:
            self._organization(name, kind, _credit_code(first17), communities[community_name], admin_username, admin)
        self._add_org_member("重庆暖洋洋社会工作服务中心", "luoqisi_volunteer")
        self._points(admin, communities)
        self._tasks(communities)
        self._needs(communities)
        self._projects(communities)
        self._funds(communities)
        # Assistance applications (#30): 复盛镇, 雷大哥's application to approval and his wheelchair referral.
        relief_demo.load(make_user=demo_user, district_name=DISTRICT)
        affairs_demo.load(admin=admin, communities=communities)  # 惠民政策, 便民服务事项, 惠民资金, 监督举报 (#31)
        deliberation_demo.load(make_user=demo_user, communities=communities)  # 百姓管家, 议事会, 文明养犬公约, 文明积分 (#32)
        resources_demo.load(make_user=demo_user, communities=communities)  # rooms, handovers, groups, talents, annual reports (#33)
        budgets_demo.load(admin=admin, communities=communities, make_user=demo_user)  # 民生实事项目票决, 通存通兑 (#34)
        if not options["quiet_logins"]:
            self._print_logins()

    def _admin(self) -> User:
        admin = User.objects.filter(username=ADMIN_USERNAME).first()
        if admin is None:
            admin = User.objects.create_superuser(ADMIN_USERNAME, password=ADMIN_PASSWORD, display_name="江北区民政局管理员")
        return admin

    def _places(self) -> dict[str, Community]:
        district, _ = District.objects.get_or_create(name=DISTRICT)
        communities = {}
        for street_name, names in STREETS.items():
            street, _ = Street.objects.get_or_create(district=district, name=street_name)
            for name in names:
                communities[name], _ = Community.objects.get_or_create(street=street, name=name)
        return communities

    def _user(self, username: str, display_name: str) -> User:
        return demo_user(username, display_name)

    def _membership(self, user, community, role, admin):
        Membership.objects.get_or_create(user=user, community=community, role=role, defaults={"added_by": admin})

    def _organization(self, name, kind, code, community, admin_username, admin):
        org = Organization.objects.filter(credit_code=code).first()
        if org is None:
            org = services.organization_create(
                actor=User.objects.get(username=admin_username), name=name, kind=kind, credit_code=code, community=community
            )
        services.organization_verify(actor=admin, organization=org)

    def _add_org_member(self, org_name, username):
        org = Organization.objects.get(name=org_name)
        OrganizationMember.objects.get_or_create(organization=org, user=User.objects.get(username=username))

    def _points(self, admin, communities):
        """Budgets, rules, a catalogue and a little history. Fixed idempotency keys make a second
        run write nothing."""
        for name, community in communities.items():
            points_services.points_budget(actor=admin, community=community, amount=20_000, idempotency_key=f"demo:budget:{community.pk}", memo="2026年度积分预算")
            rule = points_services.community_rule(community)
            if rule.daily_cap is None:
                rule.daily_cap, rule.reservation_days = 100, 7
                rule.save()
        luoqisi = communities["锣旗寺社区"]
        staff = User.objects.get(username="luoqisi_staff")
        for reward_name, cost, stock, limit, description in REWARDS:
            if not Reward.objects.filter(community=luoqisi, name=reward_name).exists():
                points_services.reward_create(
                    actor=staff, community=luoqisi, name=reward_name, cost=cost, stock=stock, per_person_limit=limit, description=description
                )
        # The year behind the demo comes before today's awards: the daily cap counts from the start
        # of a day onwards, so awards dated today would leave no room on the history's days.
        load_history(communities)
        history = [
            ("luoqisi_volunteer", 60, "陪伴独居老人聊天、读报"),
            ("luoqisi_volunteer", 40, "“百姓管家”议事会记录"),
            ("luoqisi_resident", 30, "参加文明养犬协商会"),
        ]
        for i, (username, amount, memo) in enumerate(history):
            points_services.points_award(
                actor=staff, community=luoqisi, user=User.objects.get(username=username), amount=amount, idempotency_key=f"demo:award:{i}", memo=memo
            )
        resident = User.objects.get(username="luoqisi_resident")
        if not Redemption.objects.filter(user=resident).exists():
            points_services.redemption_reserve(actor=resident, reward=Reward.objects.get(community=luoqisi, name="洗洁精"), quantity=1)

    def _tasks(self, communities):
        """Upcoming micro-services in two communities, one already claimed by the demo volunteer.
        Found by title on a second run, so nothing is added twice."""
        today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        for community_name, staff_name, title, category, day, hour, hours, slots, points, place, skills, beneficiary in DEMO_TASKS:
            community = communities[community_name]
            if Task.objects.filter(community=community, title=title).exists():
                continue
            start = today + timedelta(days=day, hours=hour)
            task_create(
                actor=User.objects.get(username=staff_name),
                community=community,
                fields=TaskFields(
                    title=title, description="", category=category, starts_at=start, ends_at=start + timedelta(hours=hours),
                    location=place, slots=slots, points=points, skills=skills,
                    beneficiary=User.objects.get(username=beneficiary) if beneficiary else None,
                ),
            )
        volunteer = User.objects.get(username="luoqisi_volunteer")
        first = Task.objects.filter(community=communities["锣旗寺社区"], title=DEMO_TASKS[0][2]).first()
        if first and not Claim.objects.filter(task=first, user=volunteer).exists() and first.starts_at > timezone.now():
            claim_create(actor=volunteer, task=first)

    def _needs(self, communities):
        """Needs from the story, triaged onto each track, and the 文明养犬 consultation of 锣旗寺社区's
        "百姓管家" meeting. Found by title on a second run."""
        luoqisi = communities["锣旗寺社区"]
        resident = User.objects.get(username="luoqisi_resident")
        staff = User.objects.get(username="luoqisi_staff")
        plans = [
            ("小区里有人遛狗不牵绳", "environment", 3, False, "minor", "将组织“百姓管家”协商文明养犬公约", ""),
            ("5 栋楼道灯坏了", "repair", 3, False, "minor", "社区将安排志愿者维修", ""),
            ("低保申请需要哪些材料", "other", 2, True, "major", "已转交街道社会救助窗口，工作人员将联系您", "郭家沱街道社会事务办"),
            ("想找人每周陪老伴做康复", "elder_care", 2, True, "private", "可联系下列社会组织，提供上门康复陪护", ""),
        ]
        needs = {}
        for title, category, urgency, anonymous, track, reply, department in plans:
            need = Need.objects.filter(community=luoqisi, title=title).first()
            if need is None:
                need = market.need_submit(
                    actor=resident, community=luoqisi, title=title, category=category, urgency=urgency, anonymous=anonymous
                )
                orgs = list(Organization.objects.filter(name="重庆暖洋洋社会工作服务中心")) if track == "private" else []
                market.need_triage(actor=staff, need=need, track=track, reply=reply, department=department, organizations=orgs)
            needs[title] = need
        if not Consultation.objects.filter(community=luoqisi, title="文明养犬公约").exists():
            market.consultation_open(
                actor=staff,
                community=luoqisi,
                title="文明养犬公约",
                description="“百姓管家”议事会提出：出门牵绳、及时清理、办理犬证。是否采纳为本社区公约？",
                options=["同意", "不同意", "需要修改后再议"],
                closes_at=timezone.now() + timedelta(days=7),
                need=needs["小区里有人遛狗不牵绳"],
            )

    def _projects(self, communities):
        """An elder-care project of 锣旗寺社区 open for bids, with a sealed bid from 暖洋洋."""
        luoqisi = communities["锣旗寺社区"]
        project = Project.objects.filter(community=luoqisi, title="独居老人关爱服务项目（2027 年度）").first()
        if project is None:
            project = project_create(
                actor=User.objects.get(username="luoqisi_staff"),
                community=luoqisi,
                title="独居老人关爱服务项目（2027 年度）",
                description="为社区 60 名独居老人提供每周探访、助餐协调与心理慰藉，按季度提交服务记录。",
                budget=12_000_000,
                bid_deadline=timezone.now() + timedelta(days=14),
                required_documents="服务方案、团队资质、往年同类项目案例",
            )
        org = Organization.objects.get(name="重庆暖洋洋社会工作服务中心")
        if not Bid.objects.filter(project=project, organization=org).exists() and not project.bidding_closed():
            bid_submit(
                actor=User.objects.get(username="nuanyangyang_admin"),
                project=project,
                organization=org,
                amount=11_500_000,
                proposal="持证社工 4 名带领志愿者，每周两次上门探访，建立一人一档。",
                team="高老师（中级社工师）等 4 人",
                timeline="2027 年 1 月至 12 月，按季度提交记录",
            )

    def _funds(self, communities):
        """Two gifts already received by 锣旗寺社区's fund and one spending, so the funds page shows
        how it works. (They stand for donations paid through Stripe; the demo makes no payments.)"""
        luoqisi = communities["锣旗寺社区"]
        for intent, amount, name, anonymous, message in [
            ("pi_demo_1", 50_000, "大石坝街道商会", False, "支持社区助老"),
            ("pi_demo_2", 20_000, "", True, "一点心意"),
        ]:
            Donation.objects.get_or_create(
                payment_intent_id=intent,
                defaults={"community": luoqisi, "amount": amount, "currency": "cny", "status": "succeeded", "donor_name": name, "anonymous": anonymous, "message": message},
            )
        if not Spending.objects.filter(community=luoqisi).exists():
            spending_record(
                actor=User.objects.get(username="luoqisi_staff"), community=luoqisi, amount=12_000, spent_on=date(2026, 11, 20),
                purpose="独居老人冬季慰问品（棉被 4 床）", payee="郭家沱街道便民超市",
            )

    def _print_logins(self):
        out = self.stdout
        out.write("")
        out.write("Demo logins (演示账号):")
        out.write(f"  {ADMIN_USERNAME:<20} {ADMIN_PASSWORD:<18} district admin / 区民政局管理员 (superuser)")
        for username, display_name, community_name, role in PEOPLE:
            out.write(f"  {username:<20} {DEMO_PASSWORD:<18} {display_name} · {community_name} · {role}")
        out.write("")
