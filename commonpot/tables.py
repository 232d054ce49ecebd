import django_tables2 as tables
from django.core.paginator import EmptyPage
from django.http import HttpRequest
from django_tables2 import RequestConfig

from commonpot.models import Message
from commonpot.params import int_param


def paginate(request: HttpRequest, table: tables.Table, per_page: int) -> None:
    """Ordering from the query string, and a page of `per_page` rows.

    Every table pages through this rather than django-tables2's own paging: that
    takes `?per_page=` from the address as it stands, and `?per_page=100000`
    rendered every row. A page number past the end shows the last page; one that
    is not a number, the first.
    """
    RequestConfig(request, paginate=False).configure(table)
    page = int_param(request.GET, "page", default=1)
    try:
        table.paginate(per_page=per_page, page=page)
    except EmptyPage:
        table.paginate(per_page=per_page, page=table.paginator.num_pages)


class OutboxTable(tables.Table):
    created_at = tables.DateTimeColumn(verbose_name="Decided", format="j M H:i")
    to = tables.Column(empty_values=(), verbose_name="To", orderable=False)
    status = tables.Column()
    sent_at = tables.DateTimeColumn(verbose_name="Sent", format="j M H:i")
    last_error = tables.Column(verbose_name="What went wrong", orderable=False)

    class Meta:
        model = Message
        fields = ["created_at", "kind", "subject", "status", "attempts", "sent_at", "last_error"]
        sequence = [
            "created_at",
            "kind",
            "to",
            "subject",
            "status",
            "attempts",
            "sent_at",
            "last_error",
        ]
        empty_text = "Nothing has been sent from this site yet."

    def render_to(self, record: Message) -> str:
        if record.to_user_id:
            return record.to_user.name
        return record.to_email or "—"

    def render_status(self, record: Message, value: str):
        from django.utils.html import format_html

        tone = {"sent": "ok", "failed": "bad", "retrying": "warn", "skipped": "warn"}.get(
            record.status, ""
        )
        return format_html('<span class="badge {}">{}</span>', tone, value)
