"""Letting a home from the command line (docs/LETTINGS_LETTING.md, docs/CLI.md):
`duty-tui lettings void|cycle|advert|bid|shortlist|offer|signup …`. Every command needs
``lettings.manage``; bad input exits 2 with one line saying what to fix; ``--json`` output alone on
stdout, summaries on stderr.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from duty_tui.core.cli.context import cli_state
from duty_tui.core.domain.errors import InputError

AsUser = Annotated[str | None, typer.Option("--as", help="Act as this staff user (lettings.manage).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]
void = typer.Typer(help="Voids: homes between tenancies.", no_args_is_help=True)
cycle = typer.Typer(help="Bidding cycles.", no_args_is_help=True)
advert = typer.Typer(help="Adverts of homes to let.", no_args_is_help=True)
bid = typer.Typer(help="Bids (assisted: placed at the desk for the applicant).", no_args_is_help=True)
offer = typer.Typer(help="Offers, viewings, acceptances and refusals.", no_args_is_help=True)
signup = typer.Typer(help="Sign-up: appointment, tenancy created, tenancy pack.", no_args_is_help=True)


def _svc(ctx: typer.Context, as_user: str | None):
    from duty_tui.core.cli.context import open_engine, service_context

    settings = cli_state(ctx).settings()
    return service_context(settings, open_engine(settings), as_user)


def _day(value: str | None, option: str) -> date | None:
    from duty_tui.core.domain.validators import parse_date

    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise InputError(f"{option}: {exc}") from None


def _moment(value: str, option: str) -> datetime:
    from duty_tui.core.domain.local_time import UK

    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M").replace(tzinfo=UK)
    except ValueError:
        raise InputError(f"{option} {value!r}: give the date and time as YYYY-MM-DD HH:MM") from None


def _json(value: object) -> None:
    from duty_tui.core.services.outputs import dump_json

    def plain(item: object) -> object:
        if isinstance(item, dict):
            return {key: plain(each) for key, each in item.items()}
        if isinstance(item, list | tuple):
            return [plain(each) for each in item]
        return item.isoformat() if isinstance(item, date | datetime) else item

    typer.echo(dump_json(plain(value)))


@void.command("record")
def void_record(ctx: typer.Context, property_ref: Annotated[str, typer.Argument(metavar="PROPERTY")],
                ended: Annotated[str, typer.Option("--ended", metavar="DATE", help="The tenancy's end date.")],
                void_type: Annotated[str, typer.Option("--type", help="relet, first_let, mutual_exchange, "
                                                       "succession, major_works or decant.")] = "relet",
                keys_back: Annotated[str | None, typer.Option("--keys-back", metavar="DATE")] = None,
                ready: Annotated[str | None, typer.Option("--ready", metavar="DATE")] = None,
                floor: Annotated[int | None, typer.Option("--floor", help="The home's floor (0: ground).")] = None,
                lift: Annotated[bool | None, typer.Option("--lift/--no-lift", help="Whether a lift serves it.")] = None,
                adapted: Annotated[str | None, typer.Option("--adapted", help="Its adaptation, e.g. wheelchair.")] = None,
                as_user: AsUser = None) -> None:
    """Record a void for a property (tenancy end, keys back, ready to let)."""
    from duty_tui.areas.lettings.services.homes import record_void

    ended_on = _day(ended, "--ended")
    assert ended_on is not None
    void_id = record_void(_svc(ctx, as_user), property_ref, ended_on, void_type=void_type,
                          keys_back_on=_day(keys_back, "--keys-back"), ready_on=_day(ready, "--ready"),
                          floor=floor, has_lift=lift, adapted=adapted)
    typer.echo(void_id)
    typer.echo(f"void {void_id} recorded for {property_ref.upper()}", err=True)


@void.command("list")
def void_list(ctx: typer.Context, include_let: Annotated[bool, typer.Option("--all", help="Include let voids.")] = False,
              as_json: AsJson = False, as_user: AsUser = None) -> None:
    """Voids with their days void, longest first."""
    from duty_tui.areas.lettings.services.homes import list_voids

    found = list_voids(_svc(ctx, as_user), include_let=include_let)
    if as_json:
        _json([asdict(v) for v in found])
        return
    for v in found:
        typer.echo(f"{v.id:>5}  {v.property_ref:<10} {v.void_type:<15} {v.tenancy_ended_on:%d/%m/%Y}  "
                   f"{v.days_void:>4} days  {v.address}")


@cycle.command("open")
def cycle_open(ctx: typer.Context, code: Annotated[str, typer.Argument(metavar="CODE")],
               opens: Annotated[str, typer.Option("--opens", metavar="DATE")],
               closes: Annotated[str, typer.Option("--closes", metavar="DATE")],
               limit: Annotated[int, typer.Option("--limit", help="Bids per applicant in the cycle.")] = 3,
               as_user: AsUser = None) -> None:
    """Open a bidding cycle with its dates and bid limit."""
    from duty_tui.areas.lettings.services.homes import open_cycle

    start, end = _day(opens, "--opens"), _day(closes, "--closes")
    assert start is not None and end is not None
    open_cycle(_svc(ctx, as_user), code, start, end, limit)
    typer.echo(f"cycle {code.upper()} open {start:%d/%m/%Y}-{end:%d/%m/%Y}, {limit} bids each", err=True)


@advert.command("create")
def advert_create(ctx: typer.Context, void_id: Annotated[int, typer.Argument(metavar="VOID")],
                  bedrooms: Annotated[str, typer.Option("--bedrooms", metavar="MIN-MAX",
                                                        help="Bedroom need range, e.g. 1-2.")],
                  cycle_code: Annotated[str | None, typer.Option("--cycle")] = None,
                  direct_match: Annotated[str | None, typer.Option("--direct-match", metavar="APPLICATION")] = None,
                  min_age: Annotated[int | None, typer.Option("--min-age")] = None,
                  accessible: Annotated[str | None, typer.Option("--accessible", help="Kept for this need.")] = None,
                  local_policy: Annotated[str | None, typer.Option("--local-policy")] = None,
                  rent: Annotated[int | None, typer.Option("--rent-pence", help="Weekly rent and charges (default: "
                                                           "the last tenancy's).")] = None,
                  as_user: AsUser = None) -> None:
    """Advertise a void in a cycle with its criteria, or match it directly to an urgent application."""
    from duty_tui.areas.lettings.services.homes import create_advert

    low, _, high = bedrooms.partition("-")
    if not low.isdigit() or not (high or low).isdigit():
        raise InputError(f"--bedrooms {bedrooms!r}: give MIN-MAX whole numbers, e.g. 1-2")
    ref = create_advert(_svc(ctx, as_user), void_id, cycle_code=cycle_code, min_bedrooms=int(low),
                        max_bedrooms=int(high or low), min_age=min_age, accessible_need=accessible,
                        local_policy=local_policy, weekly_rent_pence=rent, direct_match=direct_match)
    typer.echo(ref)


@advert.command("list")
def advert_list(ctx: typer.Context, cycle_code: Annotated[str | None, typer.Option("--cycle")] = None,
                as_json: AsJson = False, as_user: AsUser = None) -> None:
    """Adverts of a cycle (default: the cycles open today, direct matches, and adverts being offered)."""
    from duty_tui.areas.lettings.services.homes import list_adverts

    found = list_adverts(_svc(ctx, as_user), cycle_code)
    if as_json:
        _json([asdict(a) for a in found])
        return
    for a in found:
        typer.echo(f"{a.ref:<9} {a.cycle or 'direct':<9} {a.status:<8} {a.bedrooms:<5} "
                   f"£{a.weekly_rent_pence / 100:>7,.2f} {a.bids:>4} bids  {a.address}")


@advert.command("close")
def advert_close(ctx: typer.Context, ref: Annotated[str, typer.Argument(metavar="ADVERT")],
                 as_user: AsUser = None) -> None:
    """Close an advert to bids."""
    from duty_tui.areas.lettings.services.homes import close_advert

    close_advert(_svc(ctx, as_user), ref)


@bid.command("place")
def bid_place(ctx: typer.Context, advert_ref: Annotated[str, typer.Argument(metavar="ADVERT")],
              application: Annotated[str, typer.Argument(metavar="APPLICATION")], as_user: AsUser = None) -> None:
    """Place a bid at the desk for the applicant (within the cycle's dates and bid limit)."""
    from duty_tui.areas.lettings.services.bids import place_bid

    slot = place_bid(_svc(ctx, as_user), advert_ref, application)
    typer.echo(f"bid placed on {advert_ref.upper()} for {application.upper()} (slot {slot})", err=True)


@bid.command("withdraw")
def bid_withdraw(ctx: typer.Context, advert_ref: Annotated[str, typer.Argument(metavar="ADVERT")],
                 application: Annotated[str, typer.Argument(metavar="APPLICATION")], as_user: AsUser = None) -> None:
    """Withdraw a bid (its slot is free again)."""
    from duty_tui.areas.lettings.services.bids import withdraw_bid

    withdraw_bid(_svc(ctx, as_user), advert_ref, application)


def shortlist_command(ctx: typer.Context, advert_ref: Annotated[str, typer.Argument(metavar="ADVERT")],
                      as_json: AsJson = False, as_user: AsUser = None) -> None:
    """Run the shortlist of an advert: bids ranked under the policy, who was skipped and why (stored)."""
    from duty_tui.areas.lettings.services.bids import run_shortlist

    found = run_shortlist(_svc(ctx, as_user), advert_ref)
    if as_json:
        _json([asdict(row) for row in found])
        return
    for row in found:
        place = f"{row.place:>3}" if row.place else "  -"
        typer.echo(f"{place} {row.application_ref:<10} band {row.band or '-':<3} {row.status:<8} "
                   f"{row.skip_reason or ''}")


@offer.command("checks")
def offer_checks(ctx: typer.Context, advert_ref: Annotated[str, typer.Argument(metavar="ADVERT")],
                 application: Annotated[str, typer.Argument(metavar="APPLICATION")], as_json: AsJson = False,
                 as_user: AsUser = None) -> None:
    """Pre-tenancy and affordability checks of a bidder, before an offer."""
    from duty_tui.areas.lettings.services.bids import pre_tenancy_checks

    found = pre_tenancy_checks(_svc(ctx, as_user), advert_ref, application)
    if as_json:
        _json({"application": found.application_ref, "affordable": found.affordable,
               "checks": [{"check": c, "passed": ok, "note": note} for c, ok, note in found.checks]})
        return
    for check, passed, note in found.checks:
        typer.echo(f"{'ok' if passed else 'NO':<3} {check}: {note}")


@offer.command("make")
def offer_make(ctx: typer.Context, advert_ref: Annotated[str, typer.Argument(metavar="ADVERT")],
               application: Annotated[str | None, typer.Option("--to", metavar="APPLICATION",
                                                               help="Default: the top eligible bidder.")] = None,
               final: Annotated[bool, typer.Option("--final", help="A final offer (s202 review right if "
                                                   "homeless).")] = False, as_user: AsUser = None) -> None:
    """Offer the home to the top eligible bidder (one live offer per home)."""
    from duty_tui.areas.lettings.services.offers import make_offer

    typer.echo(make_offer(_svc(ctx, as_user), advert_ref, application, is_final=final))


@offer.command("letter")
def offer_letter(ctx: typer.Context, offer_ref: Annotated[str, typer.Argument(metavar="OFFER")],
                 out: Annotated[Path | None, typer.Option("--out", help="Write a PDF here (default: text "
                                                          "on stdout).")] = None, as_user: AsUser = None) -> None:
    """The offer letter (with the s202 review right on a final offer to a homeless applicant)."""
    from duty_tui.areas.lettings.services.offers import offer_letter_lines
    from duty_tui.core.services.pdf import text_pdf

    lines = offer_letter_lines(_svc(ctx, as_user), offer_ref)
    if out is None:
        typer.echo("\n".join(lines))
        return
    out.write_bytes(text_pdf(lines[0], lines))
    typer.echo(f"wrote {out}", err=True)


@offer.command("viewing")
def offer_viewing(ctx: typer.Context, offer_ref: Annotated[str, typer.Argument(metavar="OFFER")],
                  at: Annotated[str, typer.Option("--at", metavar="'YYYY-MM-DD HH:MM'")], as_user: AsUser = None) -> None:
    """Book a viewing of an offered home."""
    from duty_tui.areas.lettings.services.offers import book_viewing

    book_viewing(_svc(ctx, as_user), offer_ref, _moment(at, "--at"))


@offer.command("accept")
def offer_accept(ctx: typer.Context, offer_ref: Annotated[str, typer.Argument(metavar="OFFER")],
                 as_user: AsUser = None) -> None:
    """Record the applicant's acceptance."""
    from duty_tui.areas.lettings.services.offers import accept_offer

    accept_offer(_svc(ctx, as_user), offer_ref)


@offer.command("refuse")
def offer_refuse(ctx: typer.Context, offer_ref: Annotated[str, typer.Argument(metavar="OFFER")],
                 reason: Annotated[str, typer.Option("--reason")],
                 reasonable: Annotated[bool, typer.Option("--reasonable/--unreasonable",
                                                          help="The officer's judgement of the refusal.")],
                 as_user: AsUser = None) -> None:
    """Record a refusal with its reason, judged reasonable or not (and the policy's consequence)."""
    from duty_tui.areas.lettings.services.offers import refuse_offer

    typer.echo(refuse_offer(_svc(ctx, as_user), offer_ref, reason, reasonable=reasonable).message, err=True)


@signup.command("book")
def signup_book(ctx: typer.Context, offer_ref: Annotated[str, typer.Argument(metavar="OFFER")],
                at: Annotated[str, typer.Option("--at", metavar="'YYYY-MM-DD HH:MM'")], as_user: AsUser = None) -> None:
    """Book the sign-up appointment of an accepted offer."""
    from duty_tui.areas.lettings.services.signup import book_signup

    book_signup(_svc(ctx, as_user), offer_ref, _moment(at, "--at"))


@signup.command("complete")
def signup_complete(ctx: typer.Context, offer_ref: Annotated[str, typer.Argument(metavar="OFFER")],
                    start: Annotated[str, typer.Option("--start", metavar="DATE")],
                    tenancy_type: Annotated[str, typer.Option("--type")] = "introductory",
                    as_json: AsJson = False, as_user: AsUser = None) -> None:
    """Sign up: the tenancy and rent account created, the void closed with its re-let time, the applicant housed."""
    from duty_tui.areas.lettings.services.signup import complete_signup

    day = _day(start, "--start")
    assert day is not None
    done = complete_signup(_svc(ctx, as_user), offer_ref, day, tenancy_type)
    if as_json:
        _json(asdict(done))
    relet = "excluded from the re-let measure" if done.relet_days is None else f"re-let in {done.relet_days} days"
    typer.echo(f"tenancy {done.tenancy_ref}, rent account {done.account_ref} from {day:%d/%m/%Y}; {relet}", err=True)


@signup.command("pack")
def signup_pack(ctx: typer.Context, offer_ref: Annotated[str, typer.Argument(metavar="OFFER")],
                out: Annotated[Path | None, typer.Option("--out", help="Write a PDF here (default: text "
                                                         "on stdout).")] = None, as_user: AsUser = None) -> None:
    """The tenancy pack: agreement particulars, rent and charges, first payment, DD mandate, handbook list."""
    from duty_tui.areas.lettings.services.signup import tenancy_pack_lines, tenancy_pack_pdf

    svc = _svc(ctx, as_user)
    if out is None:
        typer.echo("\n".join(tenancy_pack_lines(svc, offer_ref)))
        return
    out.write_bytes(tenancy_pack_pdf(svc, offer_ref))
    typer.echo(f"wrote {out}", err=True)


def register(app: typer.Typer) -> None:
    """Add the letting commands to `duty-tui lettings`."""
    for name, group in (("void", void), ("cycle", cycle), ("advert", advert), ("bid", bid), ("offer", offer),
                        ("signup", signup)):
        app.add_typer(group, name=name)
    app.command("shortlist")(shortlist_command)
