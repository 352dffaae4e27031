"""factory_boy factories for the main models: a test names only the fields its assertions read
(issue 16, item 5); everything else gets a valid default here."""

import datetime as dt

import factory

from courses.models import Course, ForumTally, LearningRecord
from courses.names import normalize_course_name
from incentives.models import Decision
from leave.models import Entry
from portal import nationalid
from portal.models import Agency, Employee, EmploymentType, Rank, Role, Unit, User
from programs.models import Activity, CampQuota, ClassHistory, ContestEntry, Plan, Proposal, Session, TrainingClass


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"測試機關{n}")
    parent = None


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"第{n}科")


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    national_id = factory.Sequence(lambda n: nationalid.make("A1", 3000000 + n))
    name = factory.Sequence(lambda n: f"員工{n}")
    unit = factory.SubFactory(UnitFactory)
    agency = factory.SelfAttribute("unit.agency")
    title = "科員"
    rank = Rank.JUNIOR
    employment_type = EmploymentType.ESTABLISHED


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.EMPLOYEE
    # Tests log in with force_login; an unusable password avoids slow hashing.
    password = "!"

    @factory.post_generation
    def agencies(self, create, extracted, **kwargs):
        if create and extracted:
            self.agencies.set(extracted)
        if create:
            self.save()


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    slug = factory.Sequence(lambda n: f"plan-{n}")
    issuer = factory.SubFactory(AgencyFactory)
    roc_year = 103
    title = factory.Sequence(lambda n: f"測試計畫{n}")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    plan = factory.SubFactory(PlanFactory)
    slug = factory.Sequence(lambda n: f"activity-{n}")
    kind = Activity.Kind.TRAINING_CLASS
    name = factory.Sequence(lambda n: f"活動{n}")


class TrainingClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingClass

    activity = factory.SubFactory(ActivityFactory)
    slug = factory.Sequence(lambda n: f"class-{n}")
    name = factory.Sequence(lambda n: f"研習班{n}")


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    training_class = factory.SubFactory(TrainingClassFactory)
    number = factory.Sequence(lambda n: n + 1)


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    activity = factory.SubFactory(ActivityFactory, kind=Activity.Kind.YIXING)
    agency = factory.SubFactory(AgencyFactory)
    title = factory.Sequence(lambda n: f"熠星提案{n}")


class ContestEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContestEntry

    plan = factory.SubFactory(PlanFactory)
    title = factory.Sequence(lambda n: f"作品{n}")


class CampQuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampQuota

    activity = factory.SubFactory(ActivityFactory, kind=Activity.Kind.ENGLISH_CAMP)
    government = factory.SubFactory(AgencyFactory)


class ClassHistoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClassHistory

    employee = factory.SubFactory(EmployeeFactory)
    class_slug = "basic"
    class_name = "自製數位教材基礎班"


class LearningRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningRecord

    employee = factory.SubFactory(EmployeeFactory)
    course_name = factory.Sequence(lambda n: f"課程{n}")
    course_key = factory.LazyAttribute(lambda record: normalize_course_name(record.course_name))
    hours = 1
    completed_on = dt.date(2014, 1, 1)


class ForumTallyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForumTally

    employee = factory.SubFactory(EmployeeFactory)
    forum = "論壇"
    window_start = dt.date(2012, 1, 1)
    window_end = dt.date(2012, 8, 31)
    posts = 0
    replies = 0


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    name = factory.Sequence(lambda n: f"課程{n}")
    hours = 2


class EntryFactory(factory.django.DjangoModelFactory):
    """A compensatory-leave ledger entry: a grant of 4 hours unless told otherwise."""

    class Meta:
        model = Entry

    employee = factory.SubFactory(EmployeeFactory)
    plan = factory.SubFactory(PlanFactory)
    kind = "grant"
    hours = 4


class DecisionFactory(factory.django.DjangoModelFactory):
    """An award decision: one commendation, eligible, unless told otherwise."""

    class Meta:
        model = Decision

    plan = factory.SubFactory(PlanFactory)
    employee = factory.SubFactory(EmployeeFactory)
    rule_code = "forum-posts"
    award = "commendation"
    count = 1
    reason = factory.Sequence(lambda n: f"事由{n}")
