"""Demo data for assistance applications (#30), from the Jiangbei report: 复盛镇 handled its
applications online "from application to approval"; 雷大哥 applied for 低保 on his phone, the
community saw a record saying he worked for a company, 重庆暖洋洋社会工作服务中心 visited and found
the record out of date; he was approved and referred for an electric wheelchair.

Idempotent: a second run finds 复盛镇's applications and changes nothing. Called by
``demo/management/commands/load_demo.py``, which passes its ``make_user`` (the demo password)."""

import base64
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Community, District, Membership, Organization, Street
from relief import services
from relief.models import Application, ApplicationStatusChange

STREET, COMMUNITY = "复盛镇", "复盛社区"  # the report names the town; the community's name is ours
AGENCY = "重庆暖洋洋社会工作服务中心"
# A 1×1 PNG: the photo of 雷大哥's disability certificate, as far as the demo is concerned.
PHOTO = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")

# username, display name, role in 复盛社区
PEOPLE = [
    ("fusheng_staff", "何芳（复盛社区工作者）", Membership.Role.STAFF),
    ("lei_dage", "雷大哥", Membership.Role.RESIDENT),
    ("fusheng_wang", "王婆婆", Membership.Role.RESIDENT),
    ("fusheng_liu", "刘师傅", Membership.Role.RESIDENT),
    ("fusheng_chen", "陈阿姨", Membership.Role.RESIDENT),
    ("fusheng_zhao", "赵大爷", Membership.Role.RESIDENT),
]


def _backdate(application: Application, days_ago: float) -> None:
    """Spread an application's steps over the days before now, so waits and times to decision are real."""
    start = timezone.now() - timedelta(days=days_ago)
    steps = list(application.history.order_by("id"))
    span = timedelta(days=days_ago) * 0.8
    for i, step in enumerate(steps):
        ApplicationStatusChange.objects.filter(pk=step.pk).update(created_at=start + span * (i / max(len(steps) - 1, 1)))
    last = start + span if len(steps) > 1 else start
    Application.objects.filter(pk=application.pk).update(
        created_at=start, moved_at=last, decided_at=last if application.is_decided else None
    )


def load(*, make_user, district_name: str = "江北区") -> None:
    district = District.objects.get(name=district_name)
    street, _ = Street.objects.get_or_create(district=district, name=STREET)
    community, _ = Community.objects.get_or_create(street=street, name=COMMUNITY)
    if Application.objects.filter(community=community).exists():
        return
    people = {}
    for username, display_name, role in PEOPLE:
        people[username] = make_user(username, display_name)
        Membership.objects.get_or_create(user=people[username], community=community, role=role)
    staff, lei = people["fusheng_staff"], people["lei_dage"]
    agency = Organization.objects.get(name=AGENCY)
    worker = agency.members.filter(role="admin").select_related("user").first().user  # 高老师 of 暖洋洋

    # 雷大哥: through every step to approval, with the wheelchair referral.
    lei_app = services.application_submit(
        actor=lei, community=community, kind=Application.Kind.MINIMUM_LIVING, household_size=2, monthly_income=0,
        reason="五年前突发疾病，身体留下残疾，无法工作，家里只有我和母亲。申请低保。",
        documents=[ContentFile(PHOTO, name="残疾证.png")],
    )
    services.application_delegate(actor=staff, application=lei_app, organization_id=agency.pk,
                                  note="系统显示申请人在一家企业工作，请入户核实社保信息。")
    services.application_report(
        actor=worker, application=lei_app, recommendation="approve", suggested_referral="符合医疗器械辅助条件，可申请电动轮椅",
        findings="入户走访：雷大哥之前是个体经营户，挂靠在某一家企业购买社保；企业的信息没有更新，系统出现误差。实际没有工作收入。",
    )
    services.application_decide(actor=staff, application=lei_app, approve=True, reason="经社工入户核实，社保记录为挂靠缴费，实际无工作收入，符合低保条件。")
    services.referral_create(actor=staff, application=lei_app, to_organization_id=agency.pk, what="协助申请电动轮椅（医疗器械辅助）")
    _backdate(lei_app, 20)

    # A few in each state.
    def apply(username, kind, reason, **kw):
        return services.application_submit(actor=people[username], community=community, kind=kind, reason=reason, **kw)

    _backdate(apply("fusheng_wang", Application.Kind.TEMPORARY, "老伴住院，这个月的生活费不够。", household_size=2, monthly_income=150_000), 5)
    verifying = apply("fusheng_liu", Application.Kind.MEDICAL, "腰椎手术自付部分负担重。", household_size=3, monthly_income=260_000)
    services.application_delegate(actor=staff, application=verifying, organization_id=agency.pk, note="请核实医疗费用票据。")
    _backdate(verifying, 2)
    reported = apply("fusheng_chen", Application.Kind.DISABILITY_AID, "需要助听器。", household_size=1, monthly_income=90_000)
    services.application_delegate(actor=staff, application=reported, organization_id=agency.pk)
    services.application_report(actor=worker, application=reported, findings="听力残疾二级，独居，符合辅具适配条件。", recommendation="approve")
    _backdate(reported, 6)
    rejected = apply("fusheng_zhao", Application.Kind.MINIMUM_LIVING, "年纪大了想申请低保。", household_size=2, monthly_income=620_000)
    services.application_decide(actor=staff, application=rejected, approve=False, reason="家庭月收入高于本地低保标准；可申请临时救助或高龄津贴。")
    _backdate(rejected, 12)
    withdrawn = apply("fusheng_wang", Application.Kind.OTHER, "想咨询取暖补贴。")
    services.application_withdraw(actor=people["fusheng_wang"], application=withdrawn)
    _backdate(withdrawn, 9)
