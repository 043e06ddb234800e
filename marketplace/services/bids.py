"""Bids, as the provider's people make them: drafts with a price and a response per
criterion, attachments, submission (checked for eligibility), reopening, withdrawal and
reconfirmation after a material amendment.

A bid is sealed until the submission deadline (``Tender.bids_are_sealed``):
audit entries about bids name the tender, lot, bid and which fields changed,
never the price, a response, an attachment's title or file — the audit log
is read by supervisors and administrators, who must not learn them early.
Late bids are refused by server time, whatever a page or client believed.
Every status change goes along ``BID_LIFECYCLE``.
"""

import hashlib

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import record_change
from core.errors import ApplicationError, InvalidTransition
from core.formatting import moment_text, yuan
from core.lifecycle import move
from core.uploads import sniff_uploaded_file
from marketplace import rules
from marketplace.eligibility import eligibility_messages, eligibility_report
from marketplace.models.alerts import Alert
from marketplace.models.bids import BID_LIFECYCLE, Bid, BidAttachment, BidResponse
from marketplace.models.tenders import BIDDING_STATES, Amendment, Lot, Tender
from marketplace.selectors.common import provider_users
from marketplace.services.alerts import alert_users
from marketplace.services.common import cents, raise_if
from providers.selectors import ProviderStatus

MAX_RESPONSE_LENGTH = 20000
BID_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
MAX_BID_ATTACHMENTS = 20


def _require_bidder(user: User, provider) -> None:
    if not rules.works_for_provider(user, provider):
        raise PermissionDenied(_("Only people of the bidding provider can do this."))


def _require_open_for_bids(tender: Tender, now) -> None:
    """Late bids are refused by server time, whatever a page or client believed."""
    if tender.accepts_bids(now):
        return
    if tender.status in BIDDING_STATES:
        raise ApplicationError(
            _("The deadline for bids passed on %(deadline)s. Late bids are refused.")
            % {"deadline": moment_text(tender.submission_deadline)},
            code="late",
        )
    raise ApplicationError(_("This tender is not open for bids."), code="closed")


def _lock_bid(bid: Bid) -> Bid:
    return (
        Bid.objects.select_for_update(of=("self",))
        .select_related("tender", "lot", "provider__organization")
        .get(pk=bid.pk)
    )


def _bid_details(bid: Bid, **details) -> dict:
    return {"tender": bid.tender.reference, "lot": bid.lot.number, **details}


def _bid_audit(bid: Bid, action: str, actor, **details) -> None:
    record_change(
        action=action,
        actor=actor,
        organization=bid.provider.organization,
        target=bid,
        details=_bid_details(bid, **details),
        label=bid.tender.reference,
    )


def _require_editable(bid: Bid) -> None:
    """A submitted bid is reopened before it changes (``reopen_bid``), so that the bidder
    knows it no longer counts until submitted again."""
    if bid.status == Bid.Status.SUBMITTED:
        raise ApplicationError(
            _(
                "This bid is submitted. Reopen it to change it, then submit it again before "
                "the deadline."
            ),
            code="submitted",
        )


def _save_draft(bid: Bid, *, user, action: str, values=None, **details) -> None:
    """Save a bid being changed as a draft, with one audit entry ``action``.

    A withdrawn bid is revived and one awaiting reconfirmation is taken back:
    they become drafts along ``BID_LIFECYCLE``, in the same entry. A new bid
    or a draft is saved as it is.
    """
    if bid.pk is None or bid.status == Bid.Status.DRAFT:
        bid.save()
        _bid_audit(bid, action, user, **details)
        return
    move(
        bid,
        Bid.Status.DRAFT,
        lifecycle=BID_LIFECYCLE,
        actor=user,
        values={"submitted_at": None, **(values or {})},
        action=action,
        details=_bid_details(bid, **details),
    )


def _response_errors(tender: Tender, responses: dict) -> tuple[dict, list[str]]:
    """(criterion → text, errors) for responses keyed by criterion id."""
    criteria = {c.pk: c for c in tender.criteria.all() if c.is_scored_by_panel}
    cleaned, errors = {}, []
    for key, text in responses.items():
        try:
            criterion = criteria.get(int(getattr(key, "pk", key)))
        except (TypeError, ValueError):
            criterion = None
        if criterion is None:
            errors.append(_("Respond only to the criteria the panel scores."))
            continue
        text = (text or "").strip()
        if len(text) > MAX_RESPONSE_LENGTH:
            errors.append(
                _("Keep the response to “%(criterion)s” under %(limit)d characters.")
                % {"criterion": criterion.name, "limit": MAX_RESPONSE_LENGTH}
            )
        cleaned[criterion] = text
    return cleaned, errors


@transaction.atomic
def save_bid_draft(
    *,
    lot: Lot,
    provider,
    user: User,
    price,
    responses: dict | None = None,
    now=None,
) -> Bid:
    """Start or change the provider's bid on a lot, as a draft, before the deadline.

    ``price`` in yuan (None or "" leaves it empty); ``responses`` maps a
    criterion (or its id) the panel scores to the proposal's text — an empty
    text removes it, criteria left out keep theirs. A withdrawn bid or one
    awaiting reconfirmation becomes a draft again; a submitted one must be
    reopened first (``reopen_bid``). Nothing is checked for eligibility here:
    ``submit_bid`` does that.
    """
    now = now or timezone.now()
    _require_bidder(user, provider)
    tender = Tender.objects.get(pk=lot.tender_id)
    _require_open_for_bids(tender, now)
    if provider.status == ProviderStatus.DEBARRED:
        raise ApplicationError(
            _("A debarred provider cannot take part in tenders."), code="debarred"
        )
    bid = Bid.objects.select_for_update(of=("self",)).filter(lot=lot, provider=provider).first()
    created = bid is None
    if created:
        bid = Bid(tender=tender, lot=lot, provider=provider, created_by=user)
    else:
        _require_editable(bid)
    errors: dict[str, list[str]] = {}
    if price in (None, ""):
        bid.price = None
    else:
        price = cents(price, field="price")
        if price <= 0:
            errors["price"] = [_("Enter a price above zero.")]
        elif price > lot.max_value:
            errors["price"] = [
                _("At most the lot's maximum value, %(max)s.") % {"max": yuan(lot.max_value)}
            ]
        bid.price = price
    cleaned, response_errors = _response_errors(tender, responses or {})
    if response_errors:
        errors["responses"] = response_errors
    raise_if(errors)
    # Which fields were written, never their values: the bid is sealed.
    fields = ["price", "responses"] if cleaned else ["price"]
    _save_draft(
        bid,
        user=user,
        action="bid.started" if created else "bid.draft_saved",
        values={"price": bid.price},
        fields=fields,
    )
    for criterion, text in cleaned.items():
        if text:
            BidResponse.objects.update_or_create(
                bid=bid, criterion=criterion, defaults={"text": text}
            )
        else:
            BidResponse.objects.filter(bid=bid, criterion=criterion).delete()
    return bid


@transaction.atomic
def add_bid_attachment(
    *, bid: Bid, user: User, title: str, uploaded_file, now=None
) -> BidAttachment:
    """Attach a PDF or image (checked by its content, not its name) to a draft bid.

    Stored in private storage under a name that cannot be guessed; served to
    whoever ``rules.can_view_bid_content`` allows, never from a public URL.
    """
    now = now or timezone.now()
    bid = _lock_bid(bid)
    _require_bidder(user, bid.provider)
    _require_open_for_bids(bid.tender, now)
    _require_editable(bid)
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("Give the attachment a title.")]
    if bid.attachments.count() >= MAX_BID_ATTACHMENTS:
        errors["file"] = [
            _("A bid can have at most %(limit)d attachments.") % {"limit": MAX_BID_ATTACHMENTS}
        ]
    elif uploaded_file.size > BID_ATTACHMENT_MAX_BYTES:
        errors["file"] = [
            _("The file is %(size).1f MB; the limit is %(limit).0f MB.")
            % {
                "size": uploaded_file.size / 1_048_576,
                "limit": BID_ATTACHMENT_MAX_BYTES / 1_048_576,
            }
        ]
    content_type = None
    if "file" not in errors:
        content_type = sniff_uploaded_file(uploaded_file)
        if content_type is None:
            errors["file"] = [
                _("Only PDF, PNG or JPEG files are accepted, whatever the file name says.")
            ]
    raise_if(errors)
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    attachment = BidAttachment(
        bid=bid,
        title=title,
        content_type=content_type,
        size=uploaded_file.size,
        sha256=digest.hexdigest(),
        uploaded_by=user,
    )
    attachment.file.save("upload", uploaded_file, save=False)
    attachment.save()
    _save_draft(bid, user=user, action="bid.attachment_added", content_type=content_type)
    return attachment


@transaction.atomic
def remove_bid_attachment(*, attachment: BidAttachment, user: User, now=None) -> None:
    """Remove an attachment from a draft bid before the deadline."""
    now = now or timezone.now()
    bid = _lock_bid(attachment.bid)
    _require_bidder(user, bid.provider)
    _require_open_for_bids(bid.tender, now)
    _require_editable(bid)
    stored_name, storage = attachment.file.name, attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(stored_name))
    _save_draft(bid, user=user, action="bid.attachment_removed")


def _submit(*, bid: Bid, user: User, now, reconfirming: bool) -> Bid:
    with transaction.atomic():
        bid = _lock_bid(bid)
        _require_bidder(user, bid.provider)
        _require_open_for_bids(bid.tender, now)
        if reconfirming and bid.status != Bid.Status.NEEDS_RECONFIRMATION:
            raise InvalidTransition(_("Only a bid awaiting reconfirmation can be reconfirmed."))
        BID_LIFECYCLE.check(bid.status, Bid.Status.SUBMITTED)
        report = eligibility_report(bid, now)
        bid.eligibility_report = report
        if report:
            # Kept, so the bidder sees every reason on the bid's page.
            bid.save(update_fields=["eligibility_report", "updated_at"])
            _bid_audit(
                bid,
                "bid.submission_refused",
                user,
                reasons=[problem["code"] for problem in report],
            )
        else:
            values = {"eligibility_report": report, "submitted_at": now}
            if reconfirming:
                values["reconfirmed_at"] = now
            move(
                bid,
                Bid.Status.SUBMITTED,
                lifecycle=BID_LIFECYCLE,
                actor=user,
                now=now,
                values=values,
                action="bid.reconfirmed" if reconfirming else "bid.submitted",
                details=_bid_details(bid),
            )
    if report:
        raise ApplicationError(
            _("This bid cannot be submitted yet. Put right what is listed and submit again."),
            field_errors={"eligibility": eligibility_messages(report)},
            code="ineligible",
        )
    return bid


def submit_bid(*, bid: Bid, user: User, now=None) -> Bid:
    """Submit a draft bid, by server time before the deadline, if eligible.

    Eligibility is checked now (``marketplace.eligibility``): when
    anything is wrong the bid stays a draft, every reason is kept on it
    (``eligibility_report``) and the refusal lists them all.
    """
    return _submit(bid=bid, user=user, now=now or timezone.now(), reconfirming=False)


def reconfirm_bid(*, bid: Bid, user: User, now=None) -> Bid:
    """Confirm a bid as it stands after a material amendment (checked again like a submission)."""
    return _submit(bid=bid, user=user, now=now or timezone.now(), reconfirming=True)


@transaction.atomic
def reopen_bid(*, bid: Bid, user: User, now=None) -> Bid:
    """Take a submitted bid back to draft to change it; it must be submitted again in time."""
    now = now or timezone.now()
    bid = _lock_bid(bid)
    _require_bidder(user, bid.provider)
    _require_open_for_bids(bid.tender, now)
    move(
        bid,
        Bid.Status.DRAFT,
        lifecycle=BID_LIFECYCLE,
        actor=user,
        now=now,
        values={"submitted_at": None},
        action="bid.reopened",
        details=_bid_details(bid),
    )
    return bid


@transaction.atomic
def withdraw_bid(*, bid: Bid, user: User, now=None) -> Bid:
    """Withdraw a bid before the deadline; it can be revived as a draft while bids are open."""
    now = now or timezone.now()
    bid = _lock_bid(bid)
    _require_bidder(user, bid.provider)
    _require_open_for_bids(bid.tender, now)
    move(
        bid,
        Bid.Status.WITHDRAWN,
        lifecycle=BID_LIFECYCLE,
        actor=user,
        now=now,
        values={"withdrawn_at": now, "submitted_at": None},
        action="bid.withdrawn",
        details=_bid_details(bid),
    )
    return bid


def ask_bidders_to_reconfirm(*, tender: Tender, amendment: Amendment, actor) -> list[int]:
    """After a material amendment: submitted bids → needs reconfirmation, each bidder alerted.

    Called by ``services.tenders.amend_tender`` for the commissioner who
    amended (checked there). Drafts and withdrawn bids have nothing to
    reconfirm: the table says which bids move. Returns the moved bids' ids.
    """
    bids = list(
        Bid.objects.select_for_update(of=("self",))
        .select_related("tender", "lot", "provider__organization")
        .filter(
            tender=tender,
            status__in=BID_LIFECYCLE.sources(Bid.Status.NEEDS_RECONFIRMATION),
        )
        .order_by("pk")
    )
    if not bids:
        return []
    for bid in bids:
        move(
            bid,
            Bid.Status.NEEDS_RECONFIRMATION,
            lifecycle=BID_LIFECYCLE,
            actor=actor,
            details=_bid_details(bid, amendment=amendment.number),
        )
    deadline = timezone.localtime(tender.submission_deadline)
    alert_users(
        users=[
            user for _org, user in provider_users({bid.provider.organization_id for bid in bids})
        ],
        tender=tender,
        kind=Alert.Kind.BID_RECONFIRMATION,
        key=f"amendment-{amendment.number}",
        render=lambda: (
            _(
                "Tender %(reference)s was amended (amendment %(number)d) in a way that may "
                "change your bid. Check it and reconfirm your bid before %(deadline)s."
            )
            % {
                "reference": tender.reference,
                "number": amendment.number,
                "deadline": moment_text(deadline),
            }
        ),
    )
    return [bid.pk for bid in bids]
