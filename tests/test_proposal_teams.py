"""熠星 teams from proposal to reward (DOMAIN.md, 熠星 programme), and no path around a rule.

A coordinator names the team on the proposal page, HR selects and rates it on a page, and the
rating rewards exactly that team through the plan's team_rating rule (Hualien 106 陸、二、（四））;
the team-ratings import and the admin obey the same rules.
"""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from portal.models import AuditEntry, Role
from programs.models import Activity, Certificate, Plan, Proposal, Team, TeamMember
from tests.factories import (
    ActivityFactory,
    AgencyFactory,
    ContestEntryFactory,
    EmployeeFactory,
    PlanFactory,
    ProposalFactory,
    UnitFactory,
    UserFactory,
)
from tests.importing import csv_bytes, run_command

FIELDS = {
    "contact": "吳承辦",
    "phone": "03-8462860",
    "email": "elearning@hl.gov.tw",
    "goals": "傳承在地經驗",
    "strategy": "每月一門微課程",
    "schedule": "106年4月至12月",
    "kpis": "數位教材 4 門",
}
NATIONAL_IDS = ["A123456789", "F234567898", "H800123457", "B120000008", "C110000006"]


@pytest.fixture
def hualien(db):
    call_command("load_plans", stdout=io.StringIO())
    plan = Plan.objects.get(slug="hualien-106")
    government = plan.issuer  # 花蓮縣政府
    education = AgencyFactory(name="花蓮縣政府教育處", parent=government)
    tourism = AgencyFactory(name="花蓮縣政府觀光處", parent=government)
    teaching = UnitFactory(agency=education, name="國際教育科")
    leader = EmployeeFactory(unit=teaching, name="林主持", national_id=NATIONAL_IDS[0])
    member = EmployeeFactory(unit=teaching, name="王成員", national_id=NATIONAL_IDS[1])
    # A 本府 team may span the government's agencies.
    tourist = EmployeeFactory(
        unit=UnitFactory(agency=tourism, name="觀光行銷科"), name="陳觀光", national_id=NATIONAL_IDS[2]
    )
    bystander = EmployeeFactory(unit=teaching, name="張旁觀", national_id=NATIONAL_IDS[3])
    taitung = AgencyFactory(name="臺東縣政府")
    outsider = EmployeeFactory(unit=UnitFactory(agency=taitung), name="臺東人", national_id=NATIONAL_IDS[4])
    return {
        "plan": plan,
        "government": government,
        "education": education,
        "tourism": tourism,
        "yixing": Activity.objects.get(plan=plan, kind=Activity.Kind.YIXING),
        "leader": leader,
        "member": member,
        "tourist": tourist,
        "bystander": bystander,
        "outsider": outsider,
        # The 本府 coordinator serves the government and so every agency under it.
        "coordinator": UserFactory(role=Role.COORDINATOR, agencies=[government]),
        "taitung_coordinator": UserFactory(role=Role.COORDINATOR, agencies=[taitung]),
        "hr": UserFactory(role=Role.HR, is_staff=True, agencies=[government]),
        "taitung_hr": UserFactory(role=Role.HR, is_staff=True, agencies=[taitung]),
    }


def draft_by_page(client, world, title="洄瀾數位學習熠星計畫", members=("member", "tourist"), **extra):
    data = {
        "title": title,
        "agency": world["education"].pk,
        **FIELDS,
        "leader": world["leader"].pk,
        "members": [world[m].pk for m in members],
        **extra,
    }
    return client.post(reverse("programs:proposal-new", args=[world["yixing"].pk]), data)


def submitted(world, client, **extra) -> Proposal:
    client.force_login(world["coordinator"])
    response = draft_by_page(client, world, submit="1", **extra)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Proposal.objects.get(title=extra.get("title", "洄瀾數位學習熠星計畫"))


def decide(client, proposal, action, rating=""):
    return client.post(reverse("programs:proposal-decide", args=[proposal.pk]), {"action": action, "rating": rating})


def evaluate(slug="hualien-106") -> dict:
    out = io.StringIO()
    call_command("evaluate", slug, "--json", stdout=out)
    return {p["name"]: p for p in json.loads(out.getvalue())["people"]}


def test_proposal_team_is_picked_from_the_proposing_government_only(hualien, client):
    client.force_login(hualien["coordinator"])
    page = client.get(reverse("programs:proposal-new", args=[hualien["yixing"].pk])).content.decode()
    # The picker: name, agency and unit of the government's staff; nobody of another government.
    assert "林主持｜花蓮縣政府教育處｜國際教育科" in page
    assert "陳觀光｜花蓮縣政府觀光處｜觀光行銷科" in page
    assert "臺東人" not in page
    assert "programs/staff-picker.js" in page
    refused = draft_by_page(client, hualien, members=("member", "outsider"))
    assert refused.status_code == 200
    assert refused.context["form"].errors["members"] == ["所選人員不在可選名單中（只能選擇您負責機關的本府人員）。"]
    assert Proposal.objects.count() == 0


def test_a_leader_is_not_also_a_member_and_a_draft_keeps_its_team(hualien, client):
    client.force_login(hualien["coordinator"])
    refused = draft_by_page(client, hualien, members=("leader", "member"))
    assert refused.context["form"].errors["members"] == ["主持人「林主持」不必再列為成員。"]
    assert draft_by_page(client, hualien).status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.status, proposal.leader, sorted(m.name for m in proposal.members.all())) == (
        "draft",
        hualien["leader"],
        ["王成員", "陳觀光"],
    )


def test_the_service_refuses_a_team_member_of_another_government(hualien):
    proposal = Proposal(activity=hualien["yixing"], agency=hualien["education"], title="跨縣", leader=hualien["leader"])
    with pytest.raises(ValidationError) as error:
        from programs import services

        services.save_proposal(hualien["hr"], proposal, members=[hualien["outsider"]])
    assert error.value.message_dict == {"members": ["團隊成員須為花蓮縣政府的人員：臺東人"]}


def test_submit_select_and_rate_on_the_page_rewards_exactly_the_team(hualien, client):
    proposal = submitted(hualien, client)
    assert proposal.status == "submitted"
    shown = client.get(reverse("programs:proposal", args=[proposal.pk])).content.decode()
    assert "林主持（花蓮縣政府教育處 國際教育科）" in shown
    assert "王成員（花蓮縣政府教育處 國際教育科）、陳觀光（花蓮縣政府觀光處 觀光行銷科）" in shown

    client.force_login(hualien["hr"])
    page = client.get(reverse("programs:proposal", args=[proposal.pk])).content.decode()
    assert 'name="action" value="select"' in page and 'name="action" value="not_select"' in page
    review = client.get(reverse("programs:proposal-review"))
    assert [p.title for p, _team in review.context["rows"]] == ["洄瀾數位學習熠星計畫"]
    decide(client, proposal, "select")
    assert Proposal.objects.get(pk=proposal.pk).status == "selected"
    response = decide(client, proposal, "rate", "優等")
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.rating) == ("rated", "優等")
    team = Team.objects.get(proposal=proposal)
    assert (team.plan, team.name, team.rating) == (hualien["plan"], "洄瀾數位學習熠星計畫", "優等")
    assert sorted(team.members.values_list("employee__name", "role")) == [
        ("林主持", "主持人"),
        ("王成員", "成員"),
        ("陳觀光", "成員"),
    ]
    assert list(
        AuditEntry.objects.filter(object_type="programs.proposal").order_by("pk").values_list("action", flat=True)
    ) == ["proposal_save", "proposal_submit", "proposal_select", "proposal_rate"]

    people = evaluate()
    assert people["林主持"]["awards"] == {"commendation": 2, "merit": 0, "major_merit": 0}
    assert people["王成員"]["awards"] == {"commendation": 1, "merit": 0, "major_merit": 0}
    assert people["陳觀光"]["awards"] == {"commendation": 1, "merit": 0, "major_merit": 0}
    assert people["張旁觀"]["awards"] == {"commendation": 0, "merit": 0, "major_merit": 0}

    # The coordinator sees the outcome on their list and page.
    client.force_login(hualien["coordinator"])
    listed = client.get(reverse("programs:proposals")).content.decode()
    assert "已評等" in listed and "優等" in listed


def test_rating_again_replaces_the_team_with_the_proposals_people(hualien, client):
    proposal = submitted(hualien, client)
    client.force_login(hualien["hr"])
    decide(client, proposal, "select")
    decide(client, proposal, "rate", "良好")
    team = Team.objects.get(proposal=proposal)
    TeamMember.objects.create(team=team, employee=hualien["bystander"], role="成員")  # a stray row
    decide(client, proposal, "rate", "特優")
    team.refresh_from_db()
    assert team.rating == "特優"
    assert sorted(team.members.values_list("employee__name", flat=True)) == ["林主持", "王成員", "陳觀光"]
    people = evaluate()
    assert (people["林主持"]["awards"]["merit"], people["王成員"]["awards"]["commendation"]) == (1, 2)


def test_a_coordinator_posting_select_or_rate_gets_403(hualien, client):
    proposal = submitted(hualien, client)
    for action, rating in [("select", ""), ("not_select", ""), ("rate", "特優"), ("confirm_renewal", "")]:
        assert decide(client, proposal, action, rating).status_code == 403
    assert client.get(reverse("programs:proposal-review")).status_code == 403
    assert "確認續辦" not in client.get(reverse("programs:proposal", args=[proposal.pk])).content.decode()
    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"


def test_hr_of_another_government_does_not_decide_this_plans_proposals(hualien, client):
    proposal = submitted(hualien, client)
    client.force_login(hualien["taitung_hr"])
    assert decide(client, proposal, "select").status_code == 404
    assert client.get(reverse("programs:proposal-review")).context["rows"] == []
    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"


def test_rads_hr_reviews_what_local_governments_send_to_a_central_plan(hualien, client):
    rad = Plan.objects.get(slug="rad-104")
    assert rad.parameters["coverage_scope"] == "all"
    yixing = Activity.objects.get(plan=rad, kind=Activity.Kind.YIXING)
    client.force_login(hualien["coordinator"])
    response = client.post(
        reverse("programs:proposal-new", args=[yixing.pk]),
        {
            "title": "送地研中心",
            "agency": hualien["education"].pk,
            **FIELDS,
            "leader": hualien["leader"].pk,
            "submit": "1",
        },
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get(title="送地研中心")
    rad_hr = UserFactory(role=Role.HR, is_staff=True, agencies=[rad.issuer])
    client.force_login(hualien["hr"])  # Hualien's HR does not select for RAD
    assert decide(client, proposal, "select").status_code == 404
    client.force_login(rad_hr)
    assert [p.title for p, _team in client.get(reverse("programs:proposal-review")).context["rows"]] == ["送地研中心"]
    decide(client, proposal, "select")
    assert Proposal.objects.get(pk=proposal.pk).status == "selected"


def test_a_renewal_stays_submitted_until_hr_confirms_it(hualien, client):
    earlier_plan = PlanFactory(slug="hualien-105", issuer=hualien["government"], roc_year=105, title="105計畫")
    earlier_activity = ActivityFactory(plan=earlier_plan, slug="yixing", kind="yixing", name="熠星")
    earlier = ProposalFactory(
        activity=earlier_activity,
        agency=hualien["education"],
        title="105洄瀾熠星",
        status="selected",
        leader=hualien["leader"],
    )
    not_selected = ProposalFactory(
        activity=earlier_activity,
        agency=hualien["education"],
        title="105落選",
        status="not_selected",
        leader=hualien["leader"],
    )
    client.force_login(hualien["coordinator"])
    page = client.get(reverse("programs:proposal-new", args=[hualien["yixing"].pk]))
    assert [p.title for p in page.context["form"].fields["renews"].queryset] == ["105洄瀾熠星"]
    refused = draft_by_page(client, hualien, title="續辦", renews=not_selected.pk)
    assert "renews" in refused.context["form"].errors
    proposal = submitted(hualien, client, title="106洄瀾熠星（續辦）", renews=earlier.pk)
    assert (proposal.status, proposal.is_renewal, proposal.renews) == ("submitted", True, earlier)
    assert decide(client, proposal, "confirm_renewal").status_code == 403

    client.force_login(hualien["hr"])
    decide(client, proposal, "select")  # a renewal is confirmed, not selected
    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"
    decide(client, proposal, "confirm_renewal")
    assert Proposal.objects.get(pk=proposal.pk).status == "selected"
    assert AuditEntry.objects.filter(action="proposal_confirm_renewal", object_id=str(proposal.pk)).count() == 1


def test_the_review_page_runs_the_same_queries_for_1_and_3_proposals(hualien, client, django_assert_num_queries):
    def make(n):
        for i in range(n):
            proposal = ProposalFactory(
                activity=hualien["yixing"],
                agency=hualien["education"],
                title=f"提案{i}",
                status="submitted",
                leader=hualien["leader"],
            )
            proposal.members.set([hualien["member"], hualien["tourist"]])

    client.force_login(hualien["hr"])
    make(1)
    client.get(reverse("programs:proposal-review"))  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("programs:proposal-review"))
    Proposal.objects.all().delete()
    make(3)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get(reverse("programs:proposal-review")).context["rows"]) == 3


def test_the_printed_form_names_the_team(hualien, client):
    from programs.reports import proposal_outline
    from tests.test_programme_pdfs import pdf_lines

    proposal = submitted(hualien, client)
    texts = [child.text for item in proposal_outline(proposal) for child in item.children]
    assert "主持人林主持；成員王成員、陳觀光" in texts
    response = client.get(reverse("programs:proposal-pdf", args=[proposal.pk]))
    lines, _sizes = pdf_lines(b"".join(response.streaming_content) if response.streaming else response.content)
    assert any("主持人林主持；成員王成員、陳觀光" in line for line in lines)


# -- team-ratings import ---------------------------------------------------------------------


def team_ratings(tmp_path, *rows):
    return run_command(
        "import_results",
        tmp_path,
        csv_bytes("團隊,評等,身分證字號,角色", *rows),
        "team-ratings.csv",
        "hualien-106",
        "team-ratings",
    )


def test_team_ratings_import_must_name_exactly_the_selected_proposals_team(hualien, client, tmp_path):
    proposal = submitted(hualien, client)
    client.force_login(hualien["hr"])
    decide(client, proposal, "select")
    title = proposal.title
    code, _out, err = team_ratings(
        tmp_path, f"{title},優等,A123456789,主持人", f"{title},優等,B120000008,成員", f"{title},優等,H800123457,成員"
    )
    assert code == 1
    lines = err.splitlines()
    assert lines[0] == f"row 3, 身分證字號: 此人不在「{title}」提案的團隊名單中"
    assert lines[1] == f"row 4, 身分證字號: 「{title}」提案的團隊尚有 1 人未列入（團隊須與提案名單相同）"
    assert not any(nid in err for nid in NATIONAL_IDS)
    code, _out, err = team_ratings(
        tmp_path, f"{title},優等,A123456789,成員", f"{title},優等,F234567898,成員", f"{title},優等,H800123457,成員"
    )
    assert code == 1
    assert err.splitlines()[0] == f"row 2, 角色: 此人在「{title}」提案的團隊中擔任主持人"
    assert Team.objects.count() == 0

    code, _out, err = team_ratings(
        tmp_path, f"{title},特優,A123456789,主持人", f"{title},特優,F234567898,成員", f"{title},特優,H800123457,成員"
    )
    assert code == 0, err
    team = Team.objects.get()
    assert (team.proposal, team.rating) == (proposal, "特優")
    assert sorted(team.members.values_list("employee__name", "role")) == [
        ("林主持", "主持人"),
        ("王成員", "成員"),
        ("陳觀光", "成員"),
    ]
    proposal.refresh_from_db()
    assert (proposal.status, proposal.rating) == ("rated", "特優")
    assert evaluate()["林主持"]["awards"]["merit"] == 1


def test_a_team_not_named_after_a_proposal_still_imports(hualien, tmp_path):
    code, _out, err = team_ratings(tmp_path, "外部評定團隊,良好,C110000006,主持人")
    assert code == 0, err
    assert Team.objects.get().proposal is None


# -- the admin refuses what the import refuses ------------------------------------------------


@pytest.fixture
def superuser(db):
    return UserFactory(role=Role.HR, is_staff=True, is_superuser=True)


def test_admin_contest_entry_with_3_authors_is_refused(hualien, superuser, client):
    entry = ContestEntryFactory(plan=hualien["plan"], title="洄瀾微電影", review="通過", placing="1")
    entry.authors.set([hualien["leader"]])
    client.force_login(superuser)
    url = reverse("admin:programs_contestentry_change", args=[entry.pk])
    three = ",".join(str(hualien[p].pk) for p in ("leader", "member", "tourist"))
    page = client.post(
        url, {"plan": hualien["plan"].pk, "title": "洄瀾微電影", "authors": three, "review": "通過", "placing": "1"}
    )
    assert page.status_code == 200
    assert page.context["adminform"].form.errors["authors"] == ["每件作品至多 2 位作者。"]
    assert list(entry.authors.values_list("name", flat=True)) == ["林主持"]

    two = ",".join(str(hualien[p].pk) for p in ("leader", "member"))
    page = client.post(
        url, {"plan": hualien["plan"].pk, "title": "洄瀾微電影", "authors": two, "review": "通過", "placing": "1"}
    )
    assert page.status_code == 302
    assert sorted(entry.authors.values_list("name", flat=True)) == ["林主持", "王成員"]
    saved = AuditEntry.objects.get(action="contest_authors")
    assert (saved.actor, saved.after) == (superuser, {"authors": sorted([hualien["leader"].pk, hualien["member"].pk])})
    # Code that goes straight to the relation is stopped too (m2m_changed).
    with pytest.raises(ValidationError), transaction.atomic():
        entry.authors.add(hualien["tourist"])
    assert entry.authors.count() == 2


def test_admin_certificate_name_must_be_one_the_plan_accepts(hualien, superuser, client):
    client.force_login(superuser)
    data = {
        "plan": hualien["plan"].pk,
        "employee": hualien["leader"].pk,
        "name": "多益金色",
        "obtained_on": "2017-05-31",
    }
    page = client.post(reverse("admin:programs_certificate_add"), data)
    assert page.context["adminform"].form.errors["name"] == [
        "「多益金色」不是可接受的值（英語課程完課、雲端視訊互動、磨課師完課證明、磨課師認證考試）"
    ]
    assert Certificate.objects.count() == 0
    assert client.post(reverse("admin:programs_certificate_add"), {**data, "name": "英語課程完課"}).status_code == 302


def _team_post(team, rows):
    data = {
        "plan": team.plan_id,
        "name": team.name,
        "rating": team.rating,
        "members-TOTAL_FORMS": str(len(rows)),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    for i, (employee, role) in enumerate(rows):
        data.update({f"members-{i}-employee": employee.pk, f"members-{i}-role": role, f"members-{i}-team": team.pk})
    return data


def test_admin_team_has_one_leader_and_a_proposals_team_is_the_proposals(hualien, superuser, client):
    client.force_login(superuser)
    loose = Team.objects.create(plan=hualien["plan"], name="外部團隊", rating="良好")
    url = reverse("admin:programs_team_change", args=[loose.pk])
    page = client.post(url, _team_post(loose, [(hualien["leader"], "主持人"), (hualien["member"], "主持人")]))
    assert page.status_code == 200
    assert page.context["inline_admin_formsets"][0].formset.forms[1].errors["role"] == ["每個團隊只能有一位主持人"]
    assert loose.members.count() == 0

    proposal = ProposalFactory(
        activity=hualien["yixing"],
        agency=hualien["education"],
        title="提案團隊",
        status="rated",
        rating="優等",
        leader=hualien["leader"],
    )
    proposal.members.set([hualien["member"]])
    linked = Team.objects.create(plan=hualien["plan"], name="提案團隊", rating="優等", proposal=proposal)
    url = reverse("admin:programs_team_change", args=[linked.pk])
    page = client.post(url, _team_post(linked, [(hualien["leader"], "主持人"), (hualien["bystander"], "成員")]))
    assert page.status_code == 200
    assert page.context["inline_admin_formsets"][0].formset.forms[1].errors["employee"] == [
        "此人不在「提案團隊」提案的團隊名單中",
        "「提案團隊」提案的團隊尚有 1 人未列入（團隊須與提案名單相同）",
    ]
    page = client.post(url, _team_post(linked, [(hualien["leader"], "主持人"), (hualien["member"], "成員")]))
    assert page.status_code == 302
    assert sorted(linked.members.values_list("employee__name", "role")) == [("林主持", "主持人"), ("王成員", "成員")]
    # Its rating is the proposal's: not a field here.
    assert "rating" not in client.get(url).context["adminform"].form.fields


def test_admin_proposal_never_edits_status_or_rating(hualien, superuser, client):
    proposal = ProposalFactory(
        activity=hualien["yixing"],
        agency=hualien["education"],
        title="提案",
        status="submitted",
        leader=hualien["leader"],
    )
    client.force_login(superuser)
    form = client.get(reverse("admin:programs_proposal_change", args=[proposal.pk])).context["adminform"].form
    assert {"status", "rating", "leader", "members"} & set(form.fields) == set()


def test_the_proposal_form_follows_attachment_1_and_preselects_a_coordinators_only_agency(hualien, client):
    coordinator = UserFactory(role=Role.COORDINATOR, agencies=[hualien["education"]])
    client.force_login(coordinator)
    url = reverse("programs:proposal-new", args=[hualien["yixing"].pk])
    page = client.get(url)
    html = page.content.decode()
    assert page.context["form"]["agency"].value() == hualien["education"].pk
    assert f'<option value="{hualien["education"].pk}" selected>' in html
    assert [legend for legend, _fields in page.context["sections"]] == [
        "基本資料",
        "計畫內容",
        "其他補充說明",
        "專案小組與續辦",
    ]
    assert [f.label for f in page.context["sections"][0][1]] == [
        "推動機關（單位）",
        "聯絡人",
        "職稱",
        "電話",
        "e-mail",
        "地址",
        "計畫名稱",
    ]
    assert [f.label for f in page.context["sections"][1][1]] == [
        "目標",
        "推動議題",
        "參加對象",
        "實施作法：策略",
        "實施內容（含時程）",
        "製作數位素材提升管理效能或服務品質",
        "建立社群論壇強化知識社群運用能力",
        "關鍵績效指標（KPI）",
        "獎勵方式",
    ]
    assert "縣市別：花蓮縣政府" in html
    # A draft is saved without touching the agency field: its only agency is taken.
    response = client.post(url, {"title": "草稿計畫", "save": "1"})
    assert response.status_code == 302
    draft = Proposal.objects.get(title="草稿計畫")
    assert (draft.agency, draft.status) == (hualien["education"], "draft")


def test_a_coordinator_of_several_agencies_saves_a_draft_before_choosing_and_must_choose_to_send(hualien, client):
    coordinator = UserFactory(role=Role.COORDINATOR, agencies=[hualien["education"], hualien["tourism"]])
    client.force_login(coordinator)
    url = reverse("programs:proposal-new", args=[hualien["yixing"].pk])
    page = client.get(url)
    assert page.context["form"]["agency"].value() is None
    assert page.context["form"].fields["agency"].required is False
    # Saved with the team but no agency: the team is checked against the one government served.
    response = client.post(url, {"title": "未選機關", **FIELDS, "leader": hualien["leader"].pk, "save": "1"})
    draft = Proposal.objects.get(title="未選機關")
    assert response["Location"] == reverse("programs:proposal", args=[draft.pk])
    assert (draft.agency, draft.status, draft.leader) == (None, "draft", hualien["leader"])
    # Their own draft is found on the list and its page; another coordinator of the government does not see it.
    assert [p.title for p in client.get(reverse("programs:proposals")).context["proposals"]] == ["未選機關"]
    assert client.get(reverse("programs:proposal", args=[draft.pk])).status_code == 200
    client.force_login(hualien["coordinator"])
    assert client.get(reverse("programs:proposal", args=[draft.pk])).status_code == 404
    client.force_login(coordinator)
    # Sending without the agency keeps the draft and says what is missing.
    edit = reverse("programs:proposal", args=[draft.pk])
    data = {"title": "未選機關", **FIELDS, "leader": hualien["leader"].pk}
    followed = client.post(edit, {**data, "submit": "1"}, follow=True)
    assert [str(m) for m in followed.context["messages"]] == [
        "草稿已儲存，但還不能送出：申請表尚有必填欄位未填寫：推動機關（單位）"
    ]
    draft.refresh_from_db()
    assert (draft.agency, draft.status) == (None, "draft")
    # Once chosen, it is sent.
    client.post(edit, {**data, "agency": hualien["tourism"].pk, "submit": "1"})
    draft.refresh_from_db()
    assert (draft.agency, draft.status) == (hualien["tourism"], "submitted")
