"""factory_boy factories: every test builds the little world it needs in a line or two."""

import factory

from accounts.models import Community, District, Membership, Organization, OrganizationMember, Street, User
from accounts.validators import credit_code_check_character

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"居民{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("name",)

    name = "江北区"


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Street
        django_get_or_create = ("district", "name")

    district = factory.SubFactory(DistrictFactory)
    name = "郭家沱街道"


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    street = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"测试{n}社区")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    community = factory.SubFactory(CommunityFactory)
    role = Membership.Role.RESIDENT


def valid_credit_code(n: int) -> str:
    first17 = f"5250010{n:010d}"
    return first17 + credit_code_check_character(first17)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试社会组织{n}")
    kind = Organization.Kind.SOCIAL_ORGANIZATION
    credit_code = factory.Sequence(valid_credit_code)
    status = Organization.Status.VERIFIED
    created_by = factory.SubFactory(UserFactory)


class OrganizationMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationMember

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = OrganizationMember.Role.MEMBER
