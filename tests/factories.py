import factory

from portal import nationalid
from portal.models import Agency, Employee, EmploymentType, Rank, Role, Unit, User


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
