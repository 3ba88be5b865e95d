"""The Django admin opens for the district admin on every model's list and change pages, speaks the
product's name, and shows history rows as sentences."""

import pytest
from django.contrib import admin
from django.urls import reverse

from marketplace.models import TaskStatusChange
from tests.conftest import browser


@pytest.mark.django_db
def test_every_admin_list_page_opens(superuser, task, org_admin):
    client = browser(superuser)
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_staff_without_admin_rights_cannot_open_the_admin(staff):
    assert browser(staff).get("/admin/").status_code == 302


@pytest.mark.django_db
def test_change_pages_open_for_a_task_and_an_organisation(superuser, task, org_admin):
    from accounts.models import Organization

    client = browser(superuser)
    assert client.get(reverse("admin:marketplace_task_change", args=[task.pk])).status_code == 200
    assert client.get(reverse("admin:accounts_organization_change", args=[Organization.objects.get().pk])).status_code == 200


@pytest.mark.django_db
def test_the_admin_carries_the_product_name(superuser):
    page = browser(superuser).get("/admin/").content.decode()
    assert "社区集市 管理后台" in page and "Django 管理" not in page


@pytest.mark.django_db
def test_a_status_history_row_reads_as_a_sentence(task):
    row = TaskStatusChange.objects.filter(task=task).last()
    text = str(row)
    assert "→" in text and "object (" not in text
