"""ECHO learning networks: session and participant totals per network and over a period.

Totals add two kinds of record: sessions recorded one by one (with attendance rows, each a named
person or a count), and reported aggregate tables (sessions and participants per network over a
period, as `icp echo import` loads them). An aggregate counts towards a period only when its own
period lies wholly inside it; one that straddles the edge is left out and counted in
`partial_aggregates`, because its total cannot be split by date.

"Participants" is what the source reports. The seed's table does not say whether it counts people
or attendances summed over sessions; icp reports it as given and does not de-duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, Sum

from icp.governance.models import EchoAggregate, EchoAttendance, EchoNetwork, EchoSession


@dataclass(frozen=True)
class NetworkTotals:
    network: EchoNetwork
    sessions: int
    participants: int
    partial_aggregates: int


@dataclass(frozen=True)
class EchoTotals:
    networks: list[NetworkTotals]
    start: date | None
    end: date | None

    @property
    def sessions(self) -> int:
        return sum(n.sessions for n in self.networks)

    @property
    def participants(self) -> int:
        return sum(n.participants for n in self.networks)

    @property
    def active_networks(self) -> int:
        return sum(1 for n in self.networks if n.sessions)


def network_totals(network: EchoNetwork, start: date | None = None, end: date | None = None) -> NetworkTotals:
    sessions = EchoSession.objects.filter(network=network)
    aggregates = EchoAggregate.objects.filter(network=network)
    inside = Q()
    straddles = Q(pk__in=[])
    if start is not None:
        sessions = sessions.filter(date__gte=start)
        inside &= Q(period_start__gte=start)
        straddles |= Q(period_start__lt=start, period_end__gte=start)
    if end is not None:
        sessions = sessions.filter(date__lte=end)
        inside &= Q(period_end__lte=end)
        straddles |= Q(period_start__lte=end, period_end__gt=end)
    counted = aggregates.filter(inside)
    aggregate_sums = counted.aggregate(sessions=Sum("sessions"), participants=Sum("participants"))
    attended = EchoAttendance.objects.filter(session__in=sessions).aggregate(total=Sum("count"))["total"] or 0
    return NetworkTotals(
        network=network,
        sessions=sessions.count() + (aggregate_sums["sessions"] or 0),
        participants=attended + (aggregate_sums["participants"] or 0),
        partial_aggregates=aggregates.filter(straddles).exclude(pk__in=counted).count(),
    )


def echo_totals(start: date | None = None, end: date | None = None) -> EchoTotals:
    networks = [network_totals(n, start, end) for n in EchoNetwork.objects.order_by("name")]
    return EchoTotals(networks=networks, start=start, end=end)
