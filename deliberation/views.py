from django.http import HttpResponse


def mine(request, **kwargs):
    return HttpResponse("")


def home(request, **kwargs):
    return HttpResponse("")


def steward_appoint(request, **kwargs):
    return HttpResponse("")


def steward_remove(request, **kwargs):
    return HttpResponse("")


def issue_collect(request, **kwargs):
    return HttpResponse("")


def meeting_call(request, **kwargs):
    return HttpResponse("")


def meeting(request, **kwargs):
    return HttpResponse("")


def attendance(request, **kwargs):
    return HttpResponse("")


def motion_put(request, **kwargs):
    return HttpResponse("")


def minutes(request, **kwargs):
    return HttpResponse("")


def vote(request, **kwargs):
    return HttpResponse("")


def motion_close(request, **kwargs):
    return HttpResponse("")


def convention_create(request, **kwargs):
    return HttpResponse("")


def conventions(request, **kwargs):
    return HttpResponse("")


def convention(request, **kwargs):
    return HttpResponse("")


def sign(request, **kwargs):
    return HttpResponse("")


def awards(request, **kwargs):
    return HttpResponse("")


def rule_create(request, **kwargs):
    return HttpResponse("")


def award_propose(request, **kwargs):
    return HttpResponse("")


def award_approve(request, **kwargs):
    return HttpResponse("")


def award_reject(request, **kwargs):
    return HttpResponse("")


def award_photo(request, **kwargs):
    return HttpResponse("")
