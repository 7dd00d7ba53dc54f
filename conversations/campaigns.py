"""What reminders and digests say, in each recipient's own language (no I/O here)."""

from dataclasses import dataclass
from datetime import date, datetime

from conversations.events import Choice, OutboundMessage
from conversations.i18n import Translator

RESUME = Choice("cmd=tiep", "")  # label set per language; a command, so never stale


@dataclass(frozen=True)
class Recipient:
    person_id: int
    channel: str
    user_ref: str
    locale: str
    answered: int  # indicators answered this season (0 when not started)
    returned: bool = False
    digital_done: bool = False  # every digital-skills question answered (a level is stored)


@dataclass(frozen=True)
class CampaignCount:
    key: str
    kind: str
    created_at: datetime
    planned: int
    sent: int
    failed: int
    unreachable: int

    @property
    def waiting(self) -> int:
        return self.planned - self.sent - self.failed - self.unreachable


def reminder(
    recipient: Recipient, deadline: date, today: date, indicators: int
) -> OutboundMessage:
    t = Translator(recipient.locale)
    days = (deadline - today).days
    lines = [
        t(
            "{n} days left to do your “Công dân học tập” self-assessment (deadline {date}).",
            n=days,
            date=t.date(deadline),
        )
    ]
    left = indicators - recipient.answered
    if recipient.returned:
        lines.append(
            t("Your self-assessment was returned for changes: please fix it and send it again.")
        )
    elif recipient.answered == 0:
        lines.append(t("You have not started yet. It takes about 15 minutes."))
    elif left > 0:
        lines.append(
            t.ngettext("{n} indicator left to answer.", "{n} indicators left to answer.", left)
        )
    elif recipient.digital_done:
        lines.append(t("All answered: only sending is left."))
    else:
        lines.append(t("All answered: only the digital-skills questions and sending are left."))
    return OutboundMessage("\n".join(lines), (Choice(RESUME.id, t("Continue")),))


def report_reminder(locale: str, report_date: date, today: date, org_name: str) -> OutboundMessage:
    """A commune or province leader's countdown to the report date (the plan's "trước ngày
    10/12 gửi báo cáo"), with the way to the Excel report."""
    t = Translator(locale)
    text = t(
        "{n} days left to send the report of {name} upward (by {date}). "
        "The Excel report is in the leader menu.",
        n=(report_date - today).days,
        name=org_name,
        date=t.date(report_date),
    )
    return OutboundMessage(text, (Choice("cmd=lanhdao", t("Leader menu")),))


def campaign_line(t: Translator, count: CampaignCount) -> str:
    kinds = {
        "reminder": t("Reminder"),
        "digest": t("Weekly report"),
        "nudge": t("Your reminder"),
        "report": t("Report reminder"),
    }
    return t(
        "{kind} {date}: {planned} planned, {sent} sent, {failed} failed, "
        "{unreachable} unreachable",
        kind=kinds.get(count.kind, count.kind),
        date=t.date(count.created_at),
        planned=count.planned,
        sent=count.sent,
        failed=count.failed,
        unreachable=count.unreachable,
    )
