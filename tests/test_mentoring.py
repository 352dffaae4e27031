"""E-mentoring (電子師徒制) on coordinator and HR pages: put forward, paired across agencies (DOMAIN.md Decision)."""

import pytest
from django.urls import reverse

from portal.models import AuditEntry, Role
from programs.models import MentoringCandidate, MentoringPair
from tests.factories import ActivityFactory, AgencyFactory, EmployeeFactory, PlanFactory, UnitFactory, UserFactory


@pytest.fixture
def world(db):
    government = AgencyFactory(name="高雄市政府")
    plan = PlanFactory(slug="kaohsiung-103", issuer=government, roc_year=103, title="高雄市政府103年度計畫")
    activity = ActivityFactory(plan=plan, slug="mentoring", kind="mentoring", name="電子師徒制")
    education = AgencyFactory(name="高雄市政府教育局", parent=government)
    social = AgencyFactory(name="高雄市政府社會局", parent=government)
    people = {
        "甲師父": EmployeeFactory(unit=UnitFactory(agency=education), name="甲師父"),
        "甲徒弟": EmployeeFactory(unit=UnitFactory(agency=education), name="甲徒弟"),
        "乙徒弟": EmployeeFactory(unit=UnitFactory(agency=social), name="乙徒弟"),
    }
    return {
        "activity": activity,
        "people": people,
        "coord_edu": UserFactory(role=Role.COORDINATOR, agencies=[education]),
        "coord_social": UserFactory(role=Role.COORDINATOR, agencies=[social]),
        "hr": UserFactory(role=Role.HR, is_staff=True, agencies=[government]),
    }


def put(client, world, user, name, role):
    client.force_login(user)
    return client.post(
        reverse("programs:mentoring", args=[world["activity"].pk]),
        {"employee": world["people"][name].pk, "role": role, "note": "公文寫作"},
        follow=True,
    )


def test_coordinators_put_forward_and_hr_pairs_across_agencies_only(world, client):
    activity, people = world["activity"], world["people"]
    assert "已推薦甲師父為師父" in put(client, world, world["coord_edu"], "甲師父", "mentor").content.decode()
    put(client, world, world["coord_edu"], "甲徒弟", "mentee")
    put(client, world, world["coord_social"], "乙徒弟", "mentee")
    again = put(client, world, world["coord_edu"], "甲師父", "mentor").content.decode()
    assert "甲師父已被推薦為師父" in again
    # A coordinator cannot put forward another agency's staff.
    assert put(client, world, world["coord_social"], "甲徒弟", "mentor").status_code == 404
    assert MentoringCandidate.objects.count() == 3
    # The coordinator's page shows only their own agency's people.
    client.force_login(world["coord_social"])
    page = client.get(reverse("programs:mentoring", args=[activity.pk])).content.decode()
    assert "乙徒弟" in page and "甲師父" not in page and 'name="action" value="pair"' not in page
    client.force_login(world["hr"])
    url = reverse("programs:mentoring", args=[activity.pk])
    refused = client.post(
        url, {"action": "pair", "mentor": people["甲師父"].pk, "mentee": people["甲徒弟"].pk}, follow=True
    )
    assert "甲師父與甲徒弟同屬高雄市政府教育局；電子師徒制須跨機關配對。" in refused.content.decode()
    assert not MentoringPair.objects.exists()
    client.post(url, {"action": "pair", "mentor": people["甲師父"].pk, "mentee": people["乙徒弟"].pk})
    pairing = MentoringPair.objects.get()
    assert (pairing.mentor, pairing.mentee, pairing.paired_by) == (people["甲師父"], people["乙徒弟"], world["hr"])
    twice = client.post(
        url, {"action": "pair", "mentor": people["甲師父"].pk, "mentee": people["乙徒弟"].pk}, follow=True
    )
    assert "乙徒弟已與師父甲師父配對" in twice.content.decode()
    # Only HR pairs: a coordinator's pair request is read as nothing to pair.
    client.force_login(world["coord_edu"])
    client.post(url, {"action": "pair", "mentor": people["甲師父"].pk, "mentee": people["甲徒弟"].pk})
    assert MentoringPair.objects.count() == 1
    assert AuditEntry.objects.filter(action__in=["mentoring_put_forward", "mentoring_paired"]).count() == 4
    # Each person sees their pair.
    client.force_login(UserFactory(role=Role.EMPLOYEE, employee=people["乙徒弟"]))
    assert "您的師父是 高雄市政府教育局 甲師父" in client.get(reverse("programs:my-mentoring")).content.decode()
    client.force_login(UserFactory(role=Role.EMPLOYEE, employee=people["甲師父"]))
    assert "您的徒弟是 高雄市政府社會局 乙徒弟" in client.get(reverse("programs:my-mentoring")).content.decode()
    client.force_login(UserFactory(role=Role.EMPLOYEE, employee=people["甲徒弟"]))
    assert "您目前沒有師徒配對" in client.get(reverse("programs:my-mentoring")).content.decode()


def test_hr_of_another_government_neither_sees_nor_pairs(world, client):
    other = UserFactory(role=Role.HR, is_staff=True, agencies=[AgencyFactory(name="臺南市政府")])
    client.force_login(other)
    url = reverse("programs:mentoring", args=[world["activity"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "pair", "mentor": 1, "mentee": 2}).status_code == 404
