"""Test data for the network core. Apps keep their own factories beside their tests."""

import factory
from factory.django import DjangoModelFactory

from commonpot.models import Membership, Site, User

PASSWORD = "a-long-test-password"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    display_name = factory.Faker("name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    phone = factory.Sequence(lambda n: f"+4477009{n:05d}")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Site {n}")
    slug = factory.Sequence(lambda n: f"site-{n}")
    kind = Site.Kind.COMMUNITY_KITCHEN
    city = "Bristol"
    time_zone = "Europe/London"
    # Test sites have chilled storage (the pantry's settings row beside the site);
    # override with SiteFactory(stores__has_chilled_storage=False) and the like.
    stores = factory.RelatedFactory(
        "tests.factories.StoresFactory", factory_related_name="site", has_chilled_storage=True
    )


class StoresFactory(DjangoModelFactory):
    class Meta:
        model = "pantry.PantrySettings"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    site = factory.SubFactory(SiteFactory)
    role = Membership.Role.VOLUNTEER
