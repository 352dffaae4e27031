"""The seasonal reading draws (Kaohsiung 103 陸、七、（二）、1): chances, a reproducible draw, HR's pages."""

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from incentives import draws
from incentives.models import Draw
from portal.models import AuditEntry, Role
from programs.loader import load_plans
from programs.models import Plan
from tests.factories import (
    AgencyFactory,
    CourseFactory,
    EmployeeFactory,
    LearningRecordFactory,
    UnitFactory,
    UserFactory,
)

README = Path(settings.BASE_DIR) / "README.md"


def lines_for(people: int, courses: int = 3) -> list[str]:
    chances = [
        draws.Chance("高雄市政府教育局", f"員工{p}", f"E12****{p:03d}", f"環境教育{c}", dt.date(2014, 4, 1 + c))
        for p in range(people)
        for c in range(courses)
    ]
    return draws.chance_lines(chances)


def test_the_same_seed_and_chances_give_the_same_winners_and_a_changed_list_another_hash():
    lines = lines_for(80)
    first = draws.draw_winners("05 12 23 31 38 42", lines, 50)
    assert first == draws.draw_winners("05 12 23 31 38 42", list(reversed(lines)), 50)
    assert len(first) == 50 and first != draws.draw_winners("05 12 23 31 38 43", lines, 50)
    assert draws.chances_hash(lines) == draws.chances_hash(list(reversed(lines)))
    assert draws.chances_hash(lines) != draws.chances_hash(lines[:-1])
    with pytest.raises(ValueError):
        draws.draw_winners("", lines, 50)


def test_one_person_with_three_chances_wins_at_most_once_unless_the_setting_says_otherwise():
    lines = lines_for(2, courses=3)  # 2 people, 3 chances each, 5 prizes
    once = draws.draw_winners("seed", lines, 5)
    assert len(once) == 2 and len({draws.person_of(line) for line in once}) == 2
    assert len(draws.draw_winners("seed", lines, 5, one_win_per_person=False)) == 5


def _readme_script(tmp_path) -> Path:
    text = README.read_text(encoding="utf-8")
    code = re.search(r"```python\n(# draw\.py.*?)```", text, re.S).group(1)
    script = tmp_path / "draw.py"
    script.write_text(code, encoding="utf-8")
    return script


def test_the_readme_procedure_recomputes_the_winners_independently(tmp_path):
    lines = lines_for(70)
    chances = tmp_path / "chances.txt"
    chances.write_text("\n".join(lines), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, str(_readme_script(tmp_path)), "公益彩券 103/06/30 開獎號碼", str(chances), "50"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    assert out[0] == f"sha256 {draws.chances_hash(lines)}"
    assert [line for line in out[1:] if line] == draws.draw_winners("公益彩券 103/06/30 開獎號碼", lines, 50)


@pytest.fixture
def kaohsiung(db, tmp_path):
    (plan,) = load_plans([Path(settings.BASE_DIR) / "fixtures" / "plans" / "kaohsiung-103.yaml"])
    courses = tmp_path / "spring.csv"
    courses.write_text("課程名稱,認證時數\n環境教育概論,2\n氣候變遷調適,2\n低碳生活,1\n", encoding="utf-8")
    call_command("import_course_list", plan.slug, "seasonal-reading-spring", str(courses))
    agency = AgencyFactory(name="高雄市政府環境保護局", parent=plan.issuer)
    people = [EmployeeFactory(unit=UnitFactory(agency=agency), name=f"抽獎人{i}") for i in range(4)]
    outside = EmployeeFactory(unit=UnitFactory(agency=AgencyFactory(name="臺南市政府教育局")), name="外縣市")
    done = {0: ["環境教育概論", "氣候變遷調適", "低碳生活"], 1: ["環境教育概論"], 2: ["低碳生活"], 3: []}
    for index, names in done.items():
        for name in names:
            LearningRecordFactory(
                employee=people[index],
                course_name=name,
                hours=1,
                completed_on=dt.date(2014, 4, 10),
            )
    # Before the season, after it, and outside the plan: no chance.
    LearningRecordFactory(
        employee=people[3],
        course_name="環境教育概論",
        hours=1,
        completed_on=dt.date(2014, 2, 27),
    )
    LearningRecordFactory(
        employee=people[3],
        course_name="低碳生活",
        hours=1,
        completed_on=dt.date(2014, 6, 1),
    )
    LearningRecordFactory(
        employee=outside,
        course_name="低碳生活",
        hours=1,
        completed_on=dt.date(2014, 4, 10),
    )
    hr = UserFactory(role=Role.HR, is_staff=True, agencies=[plan.issuer])
    return plan, people, hr


def _set_spring(client, plan, prizes="2"):
    from tests.test_rule_registry import _form_data

    url = reverse("incentives:rule-edit", args=[plan.slug, "seasonal-reading-draws"])
    data = _form_data(client, url)
    data.update({"seasons.0.starts_on": "103/03/01", "seasons.0.ends_on": "103/05/31", "seasons.0.prizes": prizes})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors


def test_hr_sets_the_season_publishes_the_seed_and_draws_through_the_pages(kaohsiung, client, settings):
    plan, people, hr = kaohsiung
    client.force_login(hr)
    settings.PORTAL_TODAY = "2014-05-20"
    _set_spring(client, plan)
    url = reverse("incentives:draws", args=[plan.slug])
    page = client.get(url).content.decode()
    spring = page[page.index("<h2>春‧悅讀") : page.index("<h2>夏‧悅讀")]
    assert "103/03/01" in spring and "目前抽獎機會：5 次" in spring, spring
    # Too early to draw; the seed first.
    client.post(url, {"season": "spring", "action": "draw"})
    assert not Draw.objects.exists()
    client.post(url, {"season": "spring", "action": "publish", "seed": "103/05/20 公益彩券 03 11 24 30 36 41"})
    draw = Draw.objects.get()
    assert (draw.seed, draw.prizes, draw.status) == ("103/05/20 公益彩券 03 11 24 30 36 41", 2, "seed_published")
    response = client.post(url, {"season": "spring", "action": "publish", "seed": "another"}, follow=True)
    assert "不能更改" in response.content.decode()
    response = client.post(url, {"season": "spring", "action": "draw"}, follow=True)
    assert "尚未結束" in response.content.decode()
    settings.PORTAL_TODAY = "2014-06-02"
    client.post(url, {"season": "spring", "action": "draw"})
    draw.refresh_from_db()
    assert draw.status == "drawn" and len(draw.chances) == 5 and len(draw.winners) == 2
    assert len({draws.person_of(line) for line in draw.winners}) == 2
    assert draw.chances_hash == draws.chances_hash(draw.chances)
    assert draw.winners == draws.draw_winners(draw.seed, draw.chances, 2)
    assert all(people[0].national_id not in line for line in draw.chances)  # masked, never whole
    assert set(draw.winner_ids) <= {p.pk for p in people[:3]}
    response = client.post(url, {"season": "spring", "action": "draw"}, follow=True)
    assert "不能重抽" in response.content.decode()
    chances = client.get(reverse("incentives:draw-chances", args=[plan.slug, "spring"]))
    assert chances.content.decode().split("\n") == draw.chances
    pdf = client.get(reverse("incentives:draw-winners", args=[plan.slug, "spring"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action__in=["draw_seed_published", "draw_drawn"]).count() == 2
    # Each winner sees it on their own page; the others do not.
    winner = next(p for p in people if p.pk == draw.winner_ids[0])
    client.force_login(UserFactory(role=Role.EMPLOYEE, employee=winner))
    assert "中獎" in client.get(reverse("incentives:me")).content.decode()
    loser = people[3]
    client.force_login(UserFactory(role=Role.EMPLOYEE, employee=loser))
    assert "恭喜" not in client.get(reverse("incentives:me")).content.decode()


def test_only_hr_of_the_plans_government_runs_the_draws(kaohsiung, client):
    plan, people, _hr = kaohsiung
    url = reverse("incentives:draws", args=[plan.slug])
    client.force_login(UserFactory(role=Role.COORDINATOR))
    assert client.get(url).status_code == 403
    client.force_login(UserFactory(role=Role.HR, is_staff=True, agencies=[AgencyFactory(name="臺南市政府")]))
    assert client.get(url).status_code == 404
    assert client.post(url, {"season": "spring", "action": "publish", "seed": "x"}).status_code == 404
    assert not Draw.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_drawing_the_same_season_at_once_draw_once(settings):
    from django.db import connection

    from incentives import services
    from tests.test_concurrency import _race

    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://… (see README)"
    (plan,) = load_plans([Path(settings.BASE_DIR) / "fixtures" / "plans" / "kaohsiung-103.yaml"])
    rules = plan.parameters["rules"]
    lottery = next(r for r in rules if r["kind"] == "lottery")
    lottery["seasons"][0].update(starts_on="2014-03-01", ends_on="2014-05-31", prizes=1)
    Plan.objects.filter(pk=plan.pk).update(parameters={**plan.parameters, "rules": rules})
    from courses.models import CourseList, CourseListEntry

    spring = CourseList.objects.get(plan=plan, slug="seasonal-reading-spring")
    CourseListEntry.objects.create(course_list=spring, course=CourseFactory(name="環境教育概論", hours=1), hours=1)
    employee = EmployeeFactory(unit=UnitFactory(agency=AgencyFactory(name="高雄市政府環境保護局", parent=plan.issuer)))
    LearningRecordFactory(
        employee=employee,
        course_name="環境教育概論",
        hours=1,
        completed_on=dt.date(2014, 4, 1),
    )
    first, second = (UserFactory(role=Role.HR, is_staff=True, agencies=[plan.issuer]) for _ in range(2))
    settings.PORTAL_TODAY = "2014-05-01"
    services.publish_seed(first, plan, "spring", "seed")
    settings.PORTAL_TODAY = "2014-06-02"
    outcomes = _race(
        lambda: services.run_draw(first, plan, "spring"), lambda: services.run_draw(second, plan, "spring")
    )
    assert sorted(outcomes) == ["ValidationError", "ok"]
    assert Draw.objects.get().winner_ids == [employee.pk]
    assert AuditEntry.objects.filter(action="draw_drawn").count() == 1
