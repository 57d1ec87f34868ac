"""The economy's measures: work stoppage, resumption, and the relief instruments for firms."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.policies.base import REGISTRY, Policy, register
from sim.policies.instrument import FirmBook, Instrument, Service
from sim.policies.modifiers import DailyModifiers
from sim.policies.params import NONNEG_INT, ResumptionParams, StoppageParams
from sim.rules import checked, names, nonneg, positive, prob


@register
class WorkStoppage(Policy):
    """Firms closed by order (the extended Spring Festival holiday, F13).

    Every firm outside ``exempt_sectors`` closes, except the firms holding work passes
    from the start (``mobility.essential_sectors``, ``mobility.essential_share_by_sector``:
    public utilities, logistics, agriculture, food supply). When the order ends a firm
    applies to resume (even under household passes: approval brings the work passes)
    and waits for approval (``economy.approval_*``, ``one_to_one_service``) or files
    (``resumption``). Jiangsu: no resumption before 24:00 on 2020-02-09 except firms
    needed for the running of cities, epidemic control and daily life.
    """

    kind = "work_stoppage"
    group = "economy and relief"
    Params = StoppageParams
    params: StoppageParams

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Order today's closures."""
        mods.stoppage = self.params


@register
class Resumption(Policy):
    """How closed firms get back to work: approval within a capacity, or filing (备案/承诺制).

    ``approval``: every application waits at least ``economy.approval_days`` and the
    district approves ``economy.approval_capacity`` a day, oldest first (the default
    without this policy; ``one_to_one_service`` speeds it up). ``filing``: a firm files
    its epidemic-control plan and commitment and reopens ``filing_days`` later;
    ``spot_check_share`` of the filings are checked before the firm reopens, in the
    approval queue. Either way a firm that reopens receives work passes for its workers.
    State Council General Office notice of 2020-03-03 on simplifying approvals for
    resumption: answers within two working days, and approval may become filing or
    notification-and-commitment; Jilin moved to filing from 2020-02-19.
    """

    kind = "resumption"
    group = "economy and relief"
    Params = ResumptionParams
    params: ResumptionParams

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """State today's resumption procedure."""
        mods.resumption = self.params


class Relief(Policy, Instrument):
    """A relief instrument for the firms of some sizes and sectors (None: all).

    Each pays or waives part of one flow of the firms' books (``pay``), renews their
    maturing loans (``renews``) or changes their resumption and disputes at a fixed
    daily cost (``service``); what it pays, waives or costs is counted as its fiscal
    cost, or the banks' for a ``bank`` instrument. The engine calls every instrument
    in force without naming kinds, so a new instrument is one registered subclass here
    plus its section in ``scenarios/README.md`` (its metric ``relief_<kind>_cny``
    follows from the registry).
    """

    def apply(self, mods: DailyModifiers, day: int) -> None:
        """Put the instrument in force today (one entry of a kind at a time)."""
        mods.relief[self.kind] = self


def instruments() -> dict[str, type[Relief]]:
    """The registered relief instruments by kind, in the order they were registered.

    The engine books them in this order (so the sums of their costs are always taken
    in the same order) and declares a metric ``relief_<kind>_cny`` for each.
    """
    return {k: cls for k, cls in REGISTRY.items() if issubclass(cls, Relief)}


@dataclass(frozen=True)
class Eligibility:
    """The firms a relief instrument covers: size classes and sectors (None: all)."""

    sizes: list[str] | None = checked(names, default=None)  # size classes covered (null: all)
    sectors: list[str] | None = checked(names, default=None)  # sectors covered (null: all)


SMES = ["individual", "micro", "small", "medium"]


@register
class LoanForbearance(Relief):
    """No calling, cutting or squeezing of loans (F14): maturing loans are renewed.

    Loans of eligible firms that the bank would not have renewed are renewed anyway;
    their principal is counted as credit the banks extended (a bank cost, not fiscal).
    PBC/CBIRC notices: principal and interest due from 2020-01-25 deferrable to
    2020-06-30.
    """

    kind = "loan_forbearance"
    group = "economy and relief"
    bank = True

    @dataclass(frozen=True)
    class Params(Eligibility):
        """Parameters of ``loan_forbearance`` (only which firms it covers)."""

    params: Params

    def renews(self, eligible: np.ndarray) -> np.ndarray | None:
        """Every covered firm's maturing loan is renewed."""
        return eligible


@register
class InterestSubsidy(Relief):
    """The government pays a share of eligible firms' interest (F14; Huai'an: 50%)."""

    kind = "interest_subsidy"
    group = "economy and relief"

    @dataclass(frozen=True)
    class Params(Eligibility):
        """Parameters of ``interest_subsidy`` (and which firms it covers)."""

        # share of interest paid (Huai'an "13 measures", Feb 2020)
        share: float = checked(prob, default=0.5)

    params: Params

    def pay(self, book: FirmBook, eligible: np.ndarray) -> np.ndarray | None:
        """``share`` of the interest due today (CNY per firm)."""
        return book.interest * float(self.params.share) * eligible


@register
class TaxRelief(Relief):
    """VAT cut for small-scale taxpayers and land-use and property tax exemption (F14)."""

    kind = "tax_relief"
    group = "economy and relief"

    @dataclass(frozen=True)
    class Params(Eligibility):
        """Parameters of ``tax_relief`` (and which firms it covers)."""

        # small taxpayers' VAT (3% -> 1%, MOF/STA 2020 No. 13)
        vat_rate_small: float = checked(prob, default=0.01)
        property_tax_exempt: bool = True  # land-use and property tax waived (Jiangsu, Feb 2020)

    params: Params

    def pay(self, book: FirmBook, eligible: np.ndarray) -> np.ndarray | None:
        """Small taxpayers' VAT above the cut rate, and the property tax if exempt (CNY)."""
        rate = book.vat_rate_small
        cut = (rate - min(float(self.params.vat_rate_small), rate)) * book.revenue
        waived = np.where(book.general, 0.0, cut)
        if self.params.property_tax_exempt:
            waived = waived + book.property_tax
        return waived * eligible


@register
class SocialInsuranceExemption(Relief):
    """Employer social insurance contributions waived (national policy, Feb 2020)."""

    kind = "social_insurance_exemption"
    group = "economy and relief"

    @dataclass(frozen=True)
    class Params(Eligibility):
        """Parameters of ``social_insurance_exemption`` (and which firms it covers)."""

        share: float = checked(prob, default=1.0)  # share of employer contributions waived

    params: Params

    def pay(self, book: FirmBook, eligible: np.ndarray) -> np.ndarray | None:
        """``share`` of today's employer contributions (CNY per firm)."""
        return book.social_insurance * float(self.params.share) * eligible


@register
class RentRelief(Relief):
    """Rent waived on state-owned premises (F14; NDRC: three months in H1 2020)."""

    kind = "rent_relief"
    group = "economy and relief"

    @dataclass(frozen=True)
    class Params(Eligibility):
        """Parameters of ``rent_relief`` (and which firms it covers)."""

        share: float = checked(prob, default=1.0)  # share of the rent waived

    params: Params

    def pay(self, book: FirmBook, eligible: np.ndarray) -> np.ndarray | None:
        """``share`` of today's rent, for firms on state-owned premises (CNY per firm)."""
        return book.rent * float(self.params.share) * eligible * book.state_premises


# The two services come last, one-to-one service before green channel: the engine books
# instruments in the order of registration, and the day's fiscal cost sums them so.


@register
class OneToOneService(Relief):
    """Liaison officials serving private firms one to one (F16): faster resumption."""

    kind = "one_to_one_service"
    group = "economy and relief"

    @dataclass(frozen=True)
    class Params:
        """Parameters of ``one_to_one_service``."""

        # approvals a day, relative (assumption)
        capacity_factor: float = checked(positive, default=2.0)
        # days an application takes at least (assumption)
        approval_days: int = checked(NONNEG_INT, default=1)
        # officials' time a day, full scale (assumption)
        cost_per_day_cny: float = checked(nonneg, default=30000.0)

    params: Params

    def service(self) -> Service | None:
        """More approvals a day, sooner, for the officials' time."""
        p = self.params
        return Service(
            approval_factor=p.capacity_factor,
            approval_days=p.approval_days,
            cost_per_day_cny=p.cost_per_day_cny,
        )


@register
class GreenChannel(Relief):
    """Priority handling of contract and labour disputes from stopped work (F15)."""

    kind = "green_channel"
    group = "economy and relief"

    @dataclass(frozen=True)
    class Params:
        """Parameters of ``green_channel``."""

        # mean days to resolve a dispute (assumption)
        dispute_days: float = checked(positive, default=20.0)
        # courts' extra staff time a day, full scale (assumption)
        cost_per_day_cny: float = checked(nonneg, default=20000.0)

    params: Params

    def service(self) -> Service | None:
        """Disputes resolved sooner, for the courts' time."""
        p = self.params
        return Service(dispute_days=p.dispute_days, cost_per_day_cny=p.cost_per_day_cny)
