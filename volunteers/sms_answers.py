"""What YES and NO texted back to a reminder or a change notice do.

Registered with `registry.add_sms_reply_handler` for those kinds; commonpot's
sms_replies has already matched the reply to the latest text sent to that
number. The sign-up is the one that text was about (its `meta`), and only if
it is the texted person's own: a number shared by two people answers for the
one who got the latest text, never for the other.

YES marks the place "coming" (`SignUp.coming_confirmed_at`); NO gives it up
through the same service as "Cancel" in the app (`cancel_sign_up`), so the
place frees, the waitlist moves up and the first on it is told; past the site's
cancellation cutoff the answer says to find a stand-in instead. A reply about a
shift that has started answers nothing (None: the help text).
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from commonpot.models import Message
from volunteers import services
from volunteers.models import SignUp
from volunteers.reminders import when


def answer_reminder(message: Message, answer: str, now: datetime) -> str | None:
    sign_up = (
        SignUp.objects.select_related("shift__site", "shift__role", "volunteer")
        .filter(pk=message.meta.get("sign_up"), volunteer_id=message.to_user_id)
        .first()
    )
    if sign_up is None or sign_up.shift.starts_at <= now:
        return None
    shift = sign_up.shift
    # Translators: a shift in a text message: "Cook at Riverside Kitchen, Tue 14 May, ...".
    what = _("%(role)s at %(site)s, %(when)s") % {
        "role": shift.role.name,
        "site": shift.site.name,
        "when": when(shift),
    }
    if answer == "yes":
        services.confirm_coming(sign_up_id=sign_up.pk, by=sign_up.volunteer)
        # Translators: the answer texted back to someone who replied YES to a reminder.
        return _("Thank you: see you at %(what)s.") % {"what": what}
    services.cancel_sign_up(
        sign_up_id=sign_up.pk,
        by=sign_up.volunteer,
        # Translators: why a place was given up; keep NO as it is (the word people text).
        reason=_("Replied NO to a text reminder"),
    )
    # Translators: the answer texted back to someone who replied NO to a reminder.
    return _("Your place on %(what)s is given up. Thank you for telling us.") % {"what": what}
