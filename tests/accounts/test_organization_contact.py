"""#28: an organisation page shows the public contact details its administrator chose to publish
(contact person, phone, address), so a resident sent to "contact these organisations" can."""

import pytest

from accounts.models import Organization
from tests.conftest import browser

pytestmark = pytest.mark.django_db


def test_the_admin_publishes_contact_details_and_everyone_sees_them(org_admin, volunteer, api):
    org = Organization.objects.get(members__user=org_admin)
    page = browser().get(f"/organizations/{org.pk}/").content.decode()
    assert "尚未公开联系方式" in page and 'class="contact-phone"' not in page
    body = {"contact_person": "刘社工", "contact_phone": "023-6512 3456", "contact_address": "锣旗寺社区 2 栋 101"}
    assert browser(volunteer).post(f"/organizations/{org.pk}/contact/", body).status_code == 403
    browser(org_admin).post(f"/organizations/{org.pk}/contact/", body)
    page = browser().get(f"/organizations/{org.pk}/").content.decode()  # no login
    assert "刘社工" in page and 'href="tel:023-65123456"' in page and "锣旗寺社区 2 栋 101" in page
    assert api().get(f"organizations/{org.pk}").json()["contact_phone"] == "023-6512 3456"
    browser(org_admin).post(f"/organizations/{org.pk}/contact/", {**body, "contact_phone": "<script>"})
    assert Organization.objects.get(pk=org.pk).contact_phone == "023-6512 3456"  # refused, kept
    browser(org_admin).post(f"/organizations/{org.pk}/contact/", {"contact_person": "", "contact_phone": "", "contact_address": ""})
    assert "尚未公开联系方式" in browser().get(f"/organizations/{org.pk}/").content.decode()
