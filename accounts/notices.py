"""What stored sentences say, in the reader's language: notifications, the lines of a points
statement the system writes (a service, a redemption, a gift) and a need's history.

Each stores a message *code* and its *parameters*, not a sentence: the sentence is made
when somebody reads it, in the language of the page (or the API call) they read it in. A parameter
that is itself a label to translate (a status, a role) is stored as ``{"msgid": ..., "context": ...}``
with the English source text, and translated at reading time too.

Rows written before codes existed keep their stored text and show it as it is (the migrations
that added the codes gave one to each older row whose text they recognised).
Codes are stable once shipped: a row keeps its code for ever."""

from django.utils.translation import gettext, gettext_lazy, pgettext

MESSAGES = {
    "need_status": gettext_lazy("Your need “%(title)s” is now: %(status)s."),
    "task_cancelled": gettext_lazy("“%(task)s” was cancelled; your claim was withdrawn."),
    "claim_verified": gettext_lazy("Your service “%(task)s” was verified: %(hours)s hours, %(points)d points."),
    "service_to_rate": gettext_lazy("The service “%(task)s” for you was verified. How was it? Tap to rate it."),
    "claim_rejected": gettext_lazy("Your claim on “%(task)s” was not accepted: %(reason)s"),
    "bid_won": gettext_lazy("Your bid for “%(p)s” won. Congratulations!"),
    "bid_lost": gettext_lazy("Your bid for “%(p)s” was not chosen. Thank you for taking part."),
    "community_invitation": gettext_lazy("%(staff)s invites you to join %(community)s as %(role)s."),
    # Two-party confirmation (#22): the person served, their guardians and the volunteer.
    "claim_confirmed": gettext_lazy("The service “%(task)s” was confirmed by the person served."),
    "claim_disputed": gettext_lazy("The person served said “%(task)s” did not happen. Community staff will look into it with you."),
    "service_to_confirm": gettext_lazy("Did “%(task)s” happen for you? Tap to confirm it."),
    "ward_service_to_confirm": gettext_lazy("Did “%(task)s” happen for %(name)s? Tap to confirm it for them."),
    "ward_service_to_rate": gettext_lazy("The service “%(task)s” for %(name)s was verified. Tap to rate it for them."),
    "ward_need_status": gettext_lazy("The need “%(title)s” of %(name)s is now: %(status)s."),
    # Guardians (#36): the person named is asked, the resident hears the answer.
    "guardian_request": gettext_lazy("%(name)s named you their guardian: you could confirm and rate services for them. Accept or decline."),
    "guardian_accepted": gettext_lazy("%(name)s accepted to be your guardian."),
    # Corrections of recorded hours.
    "correction_requested": gettext_lazy("%(name)s asks to correct the hours of “%(task)s”: %(old)s → %(new)s."),
    "correction_approved": gettext_lazy("Your correction of “%(task)s” was approved: %(hours)s hours are recorded. %(reply)s"),
    "correction_refused": gettext_lazy("Your correction of “%(task)s” was refused: %(reply)s"),
    # Waiting lists (#21).
    "waitlist_dropped": gettext_lazy("You were taken off the waiting list of “%(task)s”: %(why)s"),
    "waitlist_promoted": gettext_lazy(
        "A slot of “%(task)s” came free and it is yours now. If you cannot come, withdraw, and the next person gets it."
    ),
    # A reservation in the points supermarket that staff cancelled (#28): what, and why.
    "redemption_cancelled": gettext_lazy(
        "Staff cancelled your reservation of %(reward)s × %(n)d; the %(points)d points are back. Reason: %(reason)s"
    ),
    # Lines of a points statement (``points.LedgerTransaction.memo_code``); a memo staff type stays text.
    "points_budget": gettext_lazy("District budget"),
    "points_service": gettext_lazy("Service: %(task)s"),
    "points_gift_pool": gettext_lazy("Gift to the community pool"),
    "points_gift": gettext_lazy("Gift from %(giver)s to %(receiver)s"),
    "points_redeemed": gettext_lazy("Redeemed %(reward)s × %(n)d"),
    "points_returned": gettext_lazy("Returned: %(reward)s × %(n)d"),
    # A conduct award (积分制, deliberation #32): apart from service points on every statement.
    "points_conduct": gettext_lazy("Conduct: %(rule)s"),
    # A need's history (``marketplace.NeedEvent.note_code``); a reply staff type stays text.
    "need_task_posted": gettext_lazy("Task posted: %(title)s"),
    "need_withdrawn": gettext_lazy("Withdrawn by the resident."),
    "need_consultation_opened": gettext_lazy("Consultation opened: %(title)s"),
    "need_consultation_decided": gettext_lazy("Consultation decided: %(decision)s"),
    # Assistance applications (relief, #30): the applicant, the organisation, staff.
    "relief_approved": gettext_lazy("Your application %(no)s (%(kind)s) was approved: %(reason)s"),
    "relief_rejected": gettext_lazy("Your application %(no)s (%(kind)s) was not approved: %(reason)s"),
    "relief_delegated": gettext_lazy("%(community)s asks your organisation to verify application %(no)s (%(kind)s). %(note)s"),
    "relief_reported": gettext_lazy("%(org)s reported on application %(no)s: it recommends to %(recommendation)s."),
    "relief_referred": gettext_lazy("Application %(no)s: you are referred to %(to)s for %(what)s."),
    # Supervision reports (监督举报, #31): staff hear of a new one, the author of each answer, the
    # district admin of an escalation. The subject is the author's own words; an anonymous report
    # names nobody in any of them.
    "report_received": gettext_lazy("A new report for %(community)s: “%(subject)s” (%(no)s)."),
    "report_answered": gettext_lazy("Your report %(no)s was answered: %(status)s."),
    "report_escalated": gettext_lazy("%(community)s passed report %(no)s up to the district: “%(subject)s”."),
    # Deliberation and conduct points (#32).
    "conduct_awarded": gettext_lazy("You received %(points)d points for “%(rule)s”: %(evidence)s"),
    "conduct_to_approve": gettext_lazy("%(name)s proposes %(points)d points for “%(rule)s”: a second staff member must approve them."),
    "steward_appointed": gettext_lazy("You are now a steward (百姓管家) of %(community)s."),
    "meeting_called": gettext_lazy("Stewards' meeting “%(title)s” on %(when)s at %(where)s: the agenda is ready."),
    "relief_waiting": gettext_lazy("%(n)d assistance applications in %(community)s have waited more than %(days)d days."),
    # Rooms and talents (resources, #33): the requester hears the decision, a talent her invitation.
    "booking_confirmed": gettext_lazy("Your booking of %(venue)s on %(when)s is confirmed."),
    "booking_refused": gettext_lazy("Your booking of %(venue)s on %(when)s was refused: %(reason)s"),
    "booking_cancelled": gettext_lazy("Your booking of %(venue)s on %(when)s was cancelled by staff. %(reason)s"),
    "talent_invited": gettext_lazy("%(name)s invites you to “%(task)s”. %(note)s"),
    "group_activity_approved": gettext_lazy("The activity “%(title)s” of %(group)s was approved and is on the board."),
    "group_activity_refused": gettext_lazy("The activity “%(title)s” of %(group)s was refused: %(reason)s"),
    # Reminders before a claimed task (reach): ``when`` is a phrase with its own number, fixed when sent.
    "task_reminder": gettext_lazy("Reminder: “%(title)s” starts %(when)s (%(time)s) at %(place)s."),
}


def label(value) -> dict:
    """A translatable label as a parameter: ``label(Need.Status.RESOLVED)`` (a Django choice) stores its
    English text (and its context, for labels made with ``pgettext_lazy``)."""
    choice_label = getattr(value, "label", value)
    context = getattr(choice_label, "_args", None)  # a lazy translation keeps the arguments it was made with
    if context and len(context) == 2:  # pgettext_lazy(context, text)
        return {"msgid": str(context[1]), "context": str(context[0])}
    if context and len(context) == 1:  # gettext_lazy(text)
        return {"msgid": str(context[0])}
    return {"msgid": str(choice_label)}


def phrase(msgid: str, **params) -> dict:
    """A translatable phrase with its own parameters as a parameter: ``phrase(gettext_noop("in
    %(minutes)s minutes"), minutes=20)``, translated and filled at reading time."""
    return {"msgid": msgid, "params": params}


def _param(value):
    if isinstance(value, dict) and "msgid" in value:
        text = pgettext(value["context"], value["msgid"]) if value.get("context") else gettext(value["msgid"])
        return text % value["params"] if value.get("params") else text
    return value


def render(code: str, params: dict | None, fallback: str = "") -> str:
    """The sentence for ``code`` in the active language; ``fallback`` for an unknown code."""
    template = MESSAGES.get(code)
    if template is None:
        return fallback
    try:
        return str(template) % {k: _param(v) for k, v in (params or {}).items()}
    except (KeyError, TypeError, ValueError):  # a row whose parameters no longer fit its sentence
        return fallback
