"""Demo data for linking resources (#33), from the Jiangbei report: 东原社区's 原聚场 市民活动中心 with
its rooms and a month of bookings, the choir's weekly handover (让渡), the groups 原集社区发展中心
incubated there (合唱团, 摄影社, 咖啡研习社, "小行星"亲子社), a dozen of its 249 "明星讲师" in several
fields, and organisations' annual reports in each state (one group flagged for a missing one).

Loaded by ``load_demo`` after the communities, people and organisations exist; idempotent: each row
is found before it is made, and made through the services."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts import annual_reports
from accounts.models import AnnualReport, Community, Membership, Organization, OrganizationMember, User
from accounts.validators import credit_code_check_character
from core.errors import Conflict
from resources import services
from resources.models import Booking, GroupFiling, Handover, Talent, Venue

ROOMS = [("原聚场·多功能厅", 60, "08:30-21:30", 4, "全龄段全天候的大空间：讲座、排练、展演"),
         ("原聚场·第二客厅", 20, "08:30-21:30", 3, "居民交流、读书会、咖啡研习"),
         ("原聚场·亲子活动室", 25, "09:00-20:00", 3, "绘本共读、亲子手作")]
# name, first 17 characters of a credit code, leader (username, display name), description
GROUPS = [
    ("东原社区合唱团", "52500105MJR00011", ("dongyuan_choir", "周老师（合唱团团长）"), "每周二下午在原聚场排练，欢迎爱唱歌的邻居。"),
    ("东原摄影社", "52500105MJR00022", ("dongyuan_photo", "黄师傅（摄影社社长）"), "记录社区生活，每月一次外拍。"),
    ("咖啡研习社", "52500105MJR00033", ("dongyuan_coffee", "林晓（咖啡研习社）"), "手冲咖啡分享与邻里交流。"),
    ("“小行星”亲子社", "52500105MJR00044", ("dongyuan_kids", "陈妈妈（小行星亲子社）"), "周末亲子阅读和手作活动。"),
]
TALENTS = [
    ("talent_huiben", "刘老师", ["绘本", "英语伴读"], "退休小学语文老师，擅长绘本共读，带孩子读英文绘本。"),
    ("talent_huiben2", "宋姐", ["绘本"], "两个孩子的妈妈，社区绘本馆志愿讲读人。"),
    ("talent_shouzuo", "何阿姨", ["手作", "编织"], "三十年编织手艺，教钩针和布艺。"),
    ("talent_shouzuo2", "小唐", ["手作", "皮具"], "皮具工作室主理人，周末可带手作课。"),
    ("talent_jinrong", "邓经理", ["金融", "防诈骗"], "银行理财经理，讲家庭理财和防范养老诈骗。"),
    ("talent_jinrong2", "罗会计", ["金融"], "注册会计师，帮社区组织看账、讲记账。"),
    ("talent_xingti", "杨老师", ["形体", "舞蹈"], "形体教练，教中老年形体和广场舞编排。"),
    ("talent_yingyu", "Emma 王", ["英语伴读"], "英语专业研究生，周末陪孩子读英文故事。"),
    ("talent_sheying", "黄师傅", ["摄影"], "摄影社社长，教手机摄影。"),
    ("talent_kafei", "林晓", ["咖啡"], "咖啡师，分享手冲技巧。"),
    ("talent_yinyue", "周老师", ["合唱", "声乐"], "合唱团团长，音乐教师。"),
    ("talent_jiankang", "钟医生", ["健康", "急救"], "社区医院全科医生，讲慢病管理和急救。"),
]
PURPOSES = ["读书会", "合唱排练", "亲子绘本共读", "摄影作品分享", "防诈骗讲座", "手作课", "咖啡研习", "形体课"]


def _code(first16: str) -> str:
    first17 = first16 + "0"
    return first17 + credit_code_check_character(first17)


def _member(user: User, community: Community, role: str = Membership.Role.RESIDENT) -> None:
    Membership.objects.get_or_create(user=user, community=community, role=role)


def _at(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def load(*, make_user, communities: dict[str, Community]) -> None:
    dongyuan = communities["东原社区"]
    staff = User.objects.get(username="dongyuan_staff")
    rooms = []
    for name, capacity, hours, longest, description in ROOMS:
        room = Venue.objects.filter(community=dongyuan, name=name).first() or services.venue_create(
            actor=staff, community=dongyuan, name=name, capacity=capacity, open_hours_text=hours, max_hours=longest, description=description)
        rooms.append(room)
    for luoqisi_room in ("锣旗寺社区文化活动室",):
        luoqisi = communities["锣旗寺社区"]
        if not Venue.objects.filter(community=luoqisi, name=luoqisi_room).exists():
            services.venue_create(actor=User.objects.get(username="luoqisi_staff"), community=luoqisi, name=luoqisi_room, capacity=40,
                                  open_hours_text="09:00-21:00", description="“百姓管家”议事堂与文化活动共用")
    groups = _groups(make_user, dongyuan, staff)
    _handover_and_bookings(rooms, groups, staff, dongyuan)
    _talents(make_user, dongyuan)
    _annual_reports(groups)


def _groups(make_user, dongyuan: Community, staff: User) -> list[Organization]:
    groups = []
    for name, first16, (username, display), description in GROUPS:
        leader = make_user(username, display)
        _member(leader, dongyuan)
        group = Organization.objects.filter(name=name).first()
        if group is None:
            group = Organization.objects.create(name=name, kind=Organization.Kind.COMMUNITY_GROUP, credit_code=_code(first16), community=dongyuan,
                                                description=description, created_by=leader)
            OrganizationMember.objects.create(organization=group, user=leader, role=OrganizationMember.Role.ADMIN)
        if not GroupFiling.objects.filter(organization=group).exists() and name != "“小行星”亲子社":  # one left for staff to file
            services.group_file(actor=staff, organization=group, leader=leader, note="原集社区发展中心孵化")
        groups.append(Organization.objects.get(pk=group.pk))  # as the filing left it (verified)
    return groups


def _handover_and_bookings(rooms: list[Venue], groups: list[Organization], staff: User, dongyuan: Community) -> None:
    hall, parlour, kids = rooms
    choir = groups[0]
    today = timezone.localdate()
    if not Handover.objects.filter(venue=hall, organization=choir).exists():
        # 让渡: the choir has the hall every Tuesday afternoon for four months.
        services.handover_create(actor=staff, venue=hall, organization=choir, weekday=2, starts="14:00", ends="17:00",
                                 valid_from=today - timedelta(days=14), valid_until=today + timedelta(days=120))
    if Booking.objects.filter(venue__community=dongyuan).exists():
        return
    people = list(User.objects.filter(username__in=["dongyuan_resident", "dongyuan_volunteer", "dongyuan_photo", "dongyuan_coffee",
                                                    "dongyuan_kids"]).order_by("username"))
    # A month of bookings: most confirmed, the latest still waiting for staff, one refused.
    for i in range(24):
        day = today + timedelta(days=1 + i * 28 // 24)
        room = (parlour, kids, hall)[i % 3]
        start_hour = (9, 15, 19)[i % 3]
        if room is hall and day.isoweekday() == 2:
            start_hour = 9
        person = people[i % len(people)]
        try:
            booking = services.booking_request(actor=person, venue=room, starts_at=_at(day, start_hour), ends_at=_at(day, start_hour + 2),
                                               purpose=PURPOSES[i % len(PURPOSES)], attendees=min(room.capacity, 8 + i))
        except Conflict:  # a slot the choir's handover or another row holds: skip it
            continue
        if i < 18:
            services.booking_approve(actor=staff, booking=booking)
        elif i == 20:
            services.booking_reject(actor=staff, booking=booking, reason="当天场地检修")


def _talents(make_user, dongyuan: Community) -> None:
    for username, display, fields, bio in TALENTS:
        user = User.objects.filter(display_name=display).first() if display in ("黄师傅", "林晓", "周老师") else None
        user = user or make_user(username, display)
        _member(user, dongyuan)
        if not Talent.objects.filter(user=user).exists():
            services.talent_list_me(actor=user, fields=fields, bio=bio, community=dongyuan)


def _annual_reports(groups: list[Organization]) -> None:
    year = annual_reports.due_year()
    # (organisation, admin username, reviewer, review: None filed / True passed / False needs correction)
    plan = [("重庆暖洋洋社会工作服务中心", "luoqisi_staff", True), ("大石坝街道商会", "dongyuan_staff", False),
            ("原集社区发展中心", "dongyuan_staff", None), ("东原社区合唱团", "dongyuan_staff", True)]
    for name, reviewer, passed in plan:
        org = Organization.objects.filter(name=name).first()
        if org is None or AnnualReport.objects.filter(organization=org, year=year).exists():
            continue
        admin = org.members.filter(role=OrganizationMember.Role.ADMIN).select_related("user").first().user
        report = annual_reports.annual_report_file(actor=admin, organization=org, year=year, summary=f"{year} 年开展社区服务活动，服务居民。",
                                                   income=120_000_00, spending=98_500_00)
        if passed is not None:
            annual_reports.annual_report_review(actor=User.objects.get(username=reviewer), report=report, passed=passed,
                                                note="" if passed else "请补充支出明细和活动照片。")
    # 咖啡研习社 has been around since before that year and has not filed: flagged, may not bid.
    coffee = next(g for g in groups if g.name == "咖啡研习社")
    Organization.objects.filter(pk=coffee.pk).update(created_at=timezone.now().replace(year=year - 1))
