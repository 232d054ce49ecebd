import django_tables2 as tables

from commonpot.models import Message


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
