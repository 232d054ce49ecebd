from __future__ import annotations

from datetime import date, timedelta

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonpot.dates import day
from commonpot.models import Site
from commonpot.quickurls import quick_reverse
from commonpot.tables import QuickRowsTable
from pantry.freshness import DateRules
from pantry.models import Item, Lot
from pantry.units import display, display_weight

NUM = {"td": {"class": "num"}, "th": {"class": "num"}}
EXPIRING_SOON = timedelta(days=3)


def date_badge(value: date | None, today: date) -> str:
    """A usable lot's date (or the nearest of an item's usable lots), marked when it
    has passed (best-before, within the site's limit) or comes within three days."""
    if value is None:
        return _("no date")
    text = day(value)
    if value < today:
        return format_html('{} <span class="badge warn">{}</span>', text, _("past best before"))
    if value <= today + EXPIRING_SOON:
        return format_html('{} <span class="badge warn">{}</span>', text, _("soon"))
    return text


class StockTable(QuickRowsTable):
    name = tables.Column(verbose_name=gettext_lazy("Item"))
    category = tables.Column(verbose_name=gettext_lazy("Category"))
    # Translators: a column of the stock table: how much is free to give out.
    available_total = tables.Column(verbose_name=gettext_lazy("Free"), attrs=NUM)
    on_hand_total = tables.Column(verbose_name=gettext_lazy("On hand"), attrs=NUM)
    weight = tables.Column(
        verbose_name=gettext_lazy("Weight"), empty_values=(), orderable=False, attrs=NUM
    )
    lot_count = tables.Column(verbose_name=gettext_lazy("Lots"), attrs=NUM)
    nearest = tables.Column(verbose_name=gettext_lazy("Nearest date"))
    storage = tables.Column(verbose_name=gettext_lazy("Usual storage"))

    class Meta:
        model = Item
        fields = ()
        sequence = (
            "name",
            "category",
            "available_total",
            "on_hand_total",
            "weight",
            "lot_count",
            "nearest",
            "storage",
        )
        order_by = ("name",)
        empty_text = gettext_lazy("No stock matches. Log a donation to add some.")
        attrs = {"class": "table stock-table"}
        template_name = QuickRowsTable.Meta.template_name

    def __init__(self, *args, site: Site, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.today = today

    def render_name(self, record: Item, value: str):
        url = quick_reverse("pantry:stock_item", self.site.slug, record.pk)
        low = ""
        if record.threshold is not None and record.available_total < record.threshold:
            low = format_html(' <span class="badge bad">{}</span>', _("low"))
        return format_html('<a href="{}">{}</a>{}', url, value, low)

    def render_category(self, record: Item):
        return record.get_category_display()

    def render_available_total(self, record: Item, value):
        return display(value, record)

    def render_on_hand_total(self, record: Item, value):
        shown = display(value, record)
        if record.held_total > 0:
            shown = format_html(
                '{} <a class="badge bad" href="{}">{}</a>',
                shown,
                quick_reverse("pantry:holds", self.site.slug),
                _("%(quantity)s on hold") % {"quantity": display(record.held_total, record)},
            )
        if record.past_total > 0:
            shown = format_html(
                '{} <a class="badge bad" href="{}">{}</a>',
                shown,
                quick_reverse("pantry:waste", self.site.slug),
                _("%(quantity)s past date") % {"quantity": display(record.past_total, record)},
            )
        return shown

    def render_weight(self, record: Item):
        return display_weight(record.weight_g(record.on_hand_total))

    def render_nearest(self, value):
        return date_badge(value, self.today)

    def render_storage(self, record: Item):
        return record.get_storage_display()


class LotTable(tables.Table):
    """The lots of one item at one site."""

    id = tables.Column(verbose_name=gettext_lazy("Lot"), linkify=True)
    best_before = tables.Column(verbose_name=gettext_lazy("Date"), empty_values=())
    available = tables.Column(
        verbose_name=gettext_lazy("Free"), empty_values=(), orderable=False, attrs=NUM
    )
    on_hand = tables.Column(verbose_name=gettext_lazy("On hand"), attrs=NUM)
    storage = tables.Column(verbose_name=gettext_lazy("Storage area"))
    source = tables.Column(verbose_name=gettext_lazy("Source"))
    received_on = tables.Column(verbose_name=gettext_lazy("Received"))

    class Meta:
        model = Lot
        fields = ()
        sequence = ("id", "best_before", "available", "on_hand", "storage", "source", "received_on")
        empty_text = gettext_lazy("None of this item is in stock.")
        attrs = {"class": "table"}

    def __init__(self, *args, rules: DateRules, **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = rules

    def render_id(self, value):
        return f"#{value}"

    def render_best_before(self, record: Lot):
        if record.best_before is None:
            return _("no date")
        flag = self.rules.flag(record)
        if not flag:
            return format_html(
                "{} {}",
                record.get_date_kind_display(),
                date_badge(record.best_before, self.rules.today),
            )
        tone = "warn" if self.rules.state(record).usable else "bad"
        return format_html(
            '{} {} <span class="badge {}">{}</span>',
            record.get_date_kind_display(),
            day(record.best_before),
            tone,
            flag,
        )

    def render_available(self, record: Lot):
        free = record.available if self.rules.may_use(record) else record.available * 0
        if record.on_hold:
            return format_html(
                '{} <span class="badge bad">{}</span>', display(free, record.item), _("on hold")
            )
        return display(free, record.item)

    def render_on_hand(self, record: Lot, value):
        return display(value, record.item)


class ItemTable(QuickRowsTable):
    """The network's catalog: thousands of items, fifty a page, each row written
    at once (QuickRowsTable) as django-tables2's template would write it."""

    name = tables.Column(verbose_name=gettext_lazy("Name"))
    category = tables.Column(verbose_name=gettext_lazy("Category"))
    base_unit = tables.Column(verbose_name=gettext_lazy("Counted by"))
    weight_per_piece_g = tables.Column(verbose_name=gettext_lazy("Weight of one piece"), attrs=NUM)
    storage = tables.Column(verbose_name=gettext_lazy("Storage"))
    allergens = tables.Column(
        verbose_name=gettext_lazy("Allergens"), empty_values=(), orderable=False
    )
    dietary = tables.Column(verbose_name=gettext_lazy("Dietary"), empty_values=(), orderable=False)
    gtin = tables.Column(verbose_name=gettext_lazy("Barcode"))
    is_active = tables.Column(verbose_name=gettext_lazy("In use"))

    class Meta:
        model = Item
        template_name = QuickRowsTable.Meta.template_name
        fields = ()
        sequence = (
            "name",
            "category",
            "base_unit",
            "weight_per_piece_g",
            "storage",
            "allergens",
            "dietary",
            "gtin",
            "is_active",
        )
        order_by = ("name",)
        empty_text = gettext_lazy("No items match.")
        attrs = {"class": "table"}

    def render_name(self, record: Item, value: str):
        return format_html(
            '<a href="{}">{}</a>', quick_reverse("pantry:item_edit", record.pk), value
        )

    def render_is_active(self, value: bool):
        # As django-tables2's BooleanColumn writes it.
        return format_html('<span class="{}">{}</span>', str(bool(value)).lower(), "✔✘"[not value])

    def render_base_unit(self, record: Item):
        if record.base_unit == Item.Unit.PIECE:
            return _("pieces (%(piece)s)") % {"piece": record.piece_name}
        return record.base_unit

    def render_weight_per_piece_g(self, value):
        return display_weight(value)

    def render_allergens(self, record: Item):
        return _(", ").join(record.allergen_words) or "—"

    def render_dietary(self, record: Item):
        return _(", ").join(record.dietary_words) or "—"
