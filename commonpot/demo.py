"""The demo network that `manage.py seed_demo` builds (safe to run twice)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction

from commonpot.models import Membership, Site, User

DEMO_PASSWORD = "commonpot-demo"

SITES = [
    {
        "slug": "riverside-kitchen",
        "name": "Riverside Community Kitchen",
        "kind": Site.Kind.COMMUNITY_KITCHEN,
        "description": "Hot lunches six days a week, cooked from rescued food.",
        "address": "12 Wharf Lane",
        "city": "Bristol",
        "postal_code": "BS1 4RN",
        "country": "GB",
        "latitude": Decimal("51.44880"),
        "longitude": Decimal("-2.59510"),
        "time_zone": "Europe/London",
        "contact_phone": "+441179460000",
        "contact_email": "hello@riverside.example",
        "opening_hours": "Mon-Sat 11:30-14:30 Lunch",
    },
    {
        "slug": "harbour-camp",
        "name": "Harbour Camp Kitchen",
        "kind": Site.Kind.CAMP_KITCHEN,
        "description": "Two meals a day for the people at the harbour camp.",
        "address": "",
        "city": "Bristol",
        "country": "GB",
        "latitude": Decimal("51.45000"),
        "longitude": Decimal("-2.60000"),
        "show_exact_location": False,
        "time_zone": "Europe/London",
        "contact_email": "camp@harbour.example",
        "opening_hours": "Daily 08:00-09:30 Breakfast\nDaily 18:00-19:30 Dinner\n"
        "Fri,Sat 22:00-06:00 Night kitchen",
    },
    {
        "slug": "eastside-food-bank",
        "name": "Eastside Food Bank",
        "kind": Site.Kind.FOOD_BANK,
        "description": "Warehouse and distribution for partner pantries.",
        "address": "400 Commerce Street",
        "city": "Brooklyn",
        "postal_code": "11201",
        "country": "US",
        "latitude": Decimal("40.69300"),
        "longitude": Decimal("-73.98900"),
        "time_zone": "America/New_York",
        "contact_phone": "+12125550100",
        "contact_email": "intake@eastside.example",
        "opening_hours": "Mon-Fri 08:00-17:00\nSat 09:00-13:00",
    },
    {
        "slug": "maple-street-pantry",
        "name": "Maple Street Pantry",
        "kind": Site.Kind.PANTRY,
        "description": "A neighbourhood pantry in the church hall.",
        "address": "88 Maple Street",
        "city": "Brooklyn",
        "postal_code": "11216",
        "country": "US",
        "latitude": Decimal("40.67900"),
        "longitude": Decimal("-73.94900"),
        "time_zone": "America/New_York",
        "contact_email": "maple@pantry.example",
        "opening_hours": "Tue and Thu 15:00-19:00 Pantry open\nSat 10:00-12:00 Pantry open",
    },
    {
        # A bakery on the network: it gives its end-of-day bread, which a pickup run collects.
        "slug": "harbour-bakery",
        "name": "Harbour Bakery",
        "kind": Site.Kind.PANTRY,
        "description": "A bakery by the harbour; its end-of-day bread goes to the network.",
        "address": "3 Baldwin Street",
        "city": "Bristol",
        "postal_code": "BS1 1NA",
        "country": "GB",
        "latitude": Decimal("51.45300"),
        "longitude": Decimal("-2.59250"),
        "time_zone": "Europe/London",
        "is_public": False,
        "contact_email": "bread@harbourbakery.example",
        "opening_hours": "Mon-Sat 07:00-16:00",
    },
]

VOLUNTEERS = [
    ("volunteer", "Vera Okafor", "+447700900001", "riverside-kitchen"),
    ("amira", "Amira Haddad", "+447700900002", "riverside-kitchen"),
    ("ben", "Ben Carter", "+447700900003", "riverside-kitchen"),
    ("chloe", "Chloe Nguyen", "+447700900004", "harbour-camp"),
    ("dev", "Dev Patel", "+447700900005", "harbour-camp"),
    ("elena", "Elena Rossi", "", "harbour-camp"),
    ("farid", "Farid Rahimi", "+12125550111", "eastside-food-bank"),
    ("grace", "Grace Kim", "+12125550112", "eastside-food-bank"),
    ("hugo", "Hugo Martin", "", "eastside-food-bank"),
    ("ines", "Ines Silva", "+12125550114", "maple-street-pantry"),
    ("jamal", "Jamal Wright", "+12125550115", "maple-street-pantry"),
    ("kofi", "Kofi Mensah", "+12125550116", "maple-street-pantry"),
]

# How some demo volunteers chose to be reminded (everyone else: by email). With the
# worker running, Vera's shift about a day away brings her an email and a text.
REMINDED_BY = {
    "volunteer": {"remind_by_sms": True},
    "amira": {"remind_by_sms": True, "remind_by_email": False},
}

LEADS = [
    ("lead", "Lena Fischer", "+447700900100", "riverside-kitchen"),
    ("camp-lead", "Sam Doyle", "+447700900101", "harbour-camp"),
    ("foodbank-lead", "Maria Lopez", "+12125550150", "eastside-food-bank"),
    ("pantry-lead", "Tom Brooks", "+12125550151", "maple-street-pantry"),
    ("bakery-lead", "Bea Wilson", "+447700900102", "harbour-bakery"),
]


@dataclass
class DemoNetwork:
    """What the core seeder made, handed to the apps' seeders."""

    sites: dict[str, Site] = field(default_factory=dict)
    coordinator: User | None = None
    leads: dict[str, User] = field(default_factory=dict)  # by site slug
    volunteers: dict[str, User] = field(default_factory=dict)  # by username


def _person(username: str, name: str, phone: str, password: str, **extra) -> User:
    """A demo account; `password` is the demo password already hashed, once for
    every account (hashing is slow on purpose, and this password is public)."""
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "display_name": name,
            "email": f"{username}@demo.commonpot.example",
            "phone": phone,
            **extra,
        },
    )
    if created:
        user.password = password
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def seed_network(network: DemoNetwork, stdout=None) -> None:
    for spec in SITES:
        spec = dict(spec)
        site, _ = Site.objects.get_or_create(slug=spec.pop("slug"), defaults=spec)
        network.sites[site.slug] = site
    password = make_password(DEMO_PASSWORD)
    network.coordinator = _person(
        "coordinator",
        "Rosa Mendes",
        "+447700900200",
        password,
        is_coordinator=True,
        is_staff=True,
        is_superuser=True,
    )
    for username, name, phone, slug in LEADS:
        user = _person(username, name, phone, password)
        Membership.objects.get_or_create(
            user=user, site=network.sites[slug], defaults={"role": Membership.Role.LEAD}
        )
        network.leads[slug] = user
    for username, name, phone, slug in VOLUNTEERS:
        user = _person(username, name, phone, password, **REMINDED_BY.get(username, {}))
        Membership.objects.get_or_create(user=user, site=network.sites[slug])
        network.volunteers[username] = user
