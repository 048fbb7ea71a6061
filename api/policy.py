"""Who may call what: one table keyed by (method, route path template); default deny.

A route missing from POLICY is refused to everyone (admin included), so a new route stays
closed until someone decides who may use it; tests/security walks the OpenAPI spec and fails on
any route without an entry. Jurisdiction scoping (which rows a caller sees) is separate: the
caller's Scope is passed down to the services.
"""

from __future__ import annotations

from dataclasses import dataclass

OPERATORS = frozenset({"polda_operator", "polres_operator", "polsek_operator"})
# Reads of live operations: incidents, units, positions, the map.
# The Perwira Piket and the Direktur read everything of their command centre (issue 13).
WATCHERS = OPERATORS | {"commander", "admin", "perwira_piket", "direktur"}
# Everyone at a desk (the planner reads aggregates only, so gets this on analysis routes only).
STAFF = WATCHERS | {"planner"}
EVERYONE = STAFF | {"unit"}
ADMIN = frozenset({"admin"})
UNIT = frozenset({"unit"})
UNIT_DESK = OPERATORS | {"admin", "unit"}


@dataclass(frozen=True)
class Rule:
    """Roles allowed on a route.

    public: no token needed (health, login, page shells).
    query_token: the token may also come as ?access_token= (server-sent events cannot send
    headers); only on such routes.
    unit_param: for the 'unit' role, this path parameter must name the caller's own unit:
    'unit_id' (its id), 'call_sign', or 'assignment_id' (an assignment of that unit).
    """

    roles: frozenset[str] = frozenset()
    public: bool = False
    query_token: bool = False
    unit_param: str | None = None


PUBLIC = Rule(public=True)


def rule(roles: frozenset[str], **kwargs: object) -> Rule:
    return Rule(roles=frozenset(roles), **kwargs)  # type: ignore[arg-type]


# Registering and editing units is a desk job at Polda/Polres level.
UNIT_ADMINS = frozenset({"admin", "polda_operator", "polres_operator"})
# Who lends a unit to another Polres: the unit's Polres or its Polda (scope decides which).
BANTUAN_DECIDERS = frozenset({"polres_operator", "polda_operator", "admin"})
# The supervisor who reviews numbers flagged for repeated prank calls.
REVIEWERS = frozenset({"perwira_piket"}) | ADMIN
# Operational health of the platform.
OPS = frozenset({"admin", "commander"})

# SPKT desk; Sat Reskrim works at a function desk (role 'desk', function 'reskrim').
SPKT_DESK = frozenset({"spkt", "admin"})
FUNCTION_DESK = frozenset({"desk", "admin"})
# Who holds a case's files (the services allow only the desk and the case's investigators).
SPKT_CASE = SPKT_DESK | FUNCTION_DESK
# The chain of command that follows every report to its end.
FOLLOW_UP = OPERATORS | {"commander", "admin", "perwira_piket", "direktur", "spkt"}
SPKT_READERS = SPKT_CASE | FOLLOW_UP

POLICY: dict[tuple[str, str], Rule] = {
    # foundation, auth and user administration
    ("GET", "/health"): PUBLIC,
    ("POST", "/api/auth/token"): PUBLIC,
    ("POST", "/api/auth/refresh"): PUBLIC,
    ("POST", "/api/auth/logout"): rule(EVERYONE),
    ("POST", "/api/auth/wall"): rule(frozenset({"commander", "admin"})),
    ("GET", "/api/auth/me"): rule(EVERYONE | SPKT_READERS),
    ("GET", "/api/auth/users"): rule(ADMIN),
    ("POST", "/api/auth/users"): rule(ADMIN),
    ("POST", "/api/auth/users/{username}/disable"): rule(ADMIN),
    ("POST", "/api/auth/users/{username}/enable"): rule(ADMIN),
    ("GET", "/api/auth/audit"): rule(ADMIN),
    # jurisdictions: reference data (boundaries, lookups) for everyone at a desk
    ("GET", "/api/jurisdictions"): rule(STAFF),
    ("GET", "/api/jurisdictions/geojson"): rule(STAFF),
    ("GET", "/api/jurisdictions/{jurisdiction_id}"): rule(STAFF),
    ("GET", "/api/jurisdictions/lookup"): rule(STAFF),
    ("POST", "/api/jurisdictions/lookup/batch"): rule(STAFF),
    # places: search and reverse geocoding (reference data, like the boundaries)
    ("GET", "/api/places/search"): rule(STAFF),
    ("GET", "/api/places/reverse"): rule(STAFF),
    # basemap vector tiles: every page's map, the unit's phone included
    ("GET", "/tiles/{z}/{x}/{y}.mvt"): rule(EVERYONE),
    # tracking: units (a unit sees and reports only itself)
    ("GET", "/api/units"): rule(WATCHERS),
    ("POST", "/api/units"): rule(UNIT_ADMINS),
    ("GET", "/api/units/{unit_id}"): rule(WATCHERS | UNIT, unit_param="unit_id"),
    ("PATCH", "/api/units/{unit_id}"): rule(UNIT_ADMINS),
    ("DELETE", "/api/units/{unit_id}"): rule(ADMIN),
    ("POST", "/api/units/{unit_id}/status"): rule(UNIT_DESK, unit_param="unit_id"),
    ("GET", "/api/units/{unit_id}/positions"): rule(WATCHERS | UNIT, unit_param="unit_id"),
    ("GET", "/api/ingest/stats"): rule(OPS),
    # trackers' SOS alerts: every desk watching live operations sees them; an operator (or the
    # Perwira Piket) takes one. Commanders watch.
    ("GET", "/api/alarms"): rule(WATCHERS),
    ("POST", "/api/alarms/{alarm_id}/acknowledge"): rule(OPERATORS | {"perwira_piket", "admin"}),
    # HTTP trackers: each report authenticates itself (a device identifier Siaga issued, or
    # the Traccar forwarding secret), as a tracker cannot log in
    ("GET", "/osmand"): PUBLIC,
    ("POST", "/osmand"): PUBLIC,
    ("POST", "/traccar"): PUBLIC,
    # a unit's HTTP trackers: registered and revoked by those who register units
    ("GET", "/api/units/{unit_id}/devices"): rule(UNIT_ADMINS),
    ("POST", "/api/units/{unit_id}/devices"): rule(UNIT_ADMINS),
    ("DELETE", "/api/units/{unit_id}/devices/{device_id}"): rule(UNIT_ADMINS),
    # a unit's OwnTracks encryption key: the same admins; the key is never read back
    ("GET", "/api/units/{unit_id}/owntracks-key"): rule(UNIT_ADMINS),
    ("PUT", "/api/units/{unit_id}/owntracks-key"): rule(UNIT_ADMINS),
    ("DELETE", "/api/units/{unit_id}/owntracks-key"): rule(UNIT_ADMINS),
    ("PUT", "/api/units/{unit_id}/owntracks-device"): rule(UNIT_ADMINS),
    ("DELETE", "/api/units/{unit_id}/owntracks-device"): rule(UNIT_ADMINS),
    # dispatch: operators act, commanders watch, a unit updates its own assignment only
    ("POST", "/api/incidents"): rule(OPERATORS | ADMIN),
    ("GET", "/api/incidents"): rule(WATCHERS),
    ("GET", "/api/incidents/{incident_id}"): rule(WATCHERS),
    ("GET", "/api/incidents/{incident_id}/log"): rule(WATCHERS),
    ("GET", "/api/incidents/{incident_id}/duplicates"): rule(WATCHERS),
    ("POST", "/api/incidents/{incident_id}/validate"): rule(OPERATORS | ADMIN),
    # Only the Polres the incident is offered to accepts it (the Polda takes it back on timeout).
    ("POST", "/api/incidents/{incident_id}/accept"): rule(frozenset({"polres_operator"}) | ADMIN),
    ("POST", "/api/incidents/{incident_id}/merge"): rule(OPERATORS | ADMIN),
    ("POST", "/api/incidents/{incident_id}/location"): rule(OPERATORS | ADMIN),
    ("GET", "/api/incidents/{incident_id}/recommendations"): rule(WATCHERS),
    ("GET", "/api/incidents/{incident_id}/route"): rule(WATCHERS),
    ("GET", "/api/coverage"): rule(WATCHERS),
    ("POST", "/api/incidents/{incident_id}/assignments"): rule(OPERATORS | ADMIN),
    ("POST", "/api/incidents/{incident_id}/assignments/{assignment_id}/status"): rule(
        UNIT_DESK, unit_param="assignment_id"
    ),
    ("POST", "/api/incidents/{incident_id}/close"): rule(OPERATORS | ADMIN),
    ("GET", "/api/callers/{phone}"): rule(OPERATORS | ADMIN),
    # repeated-prank numbers: the Perwira Piket reviews them; the chain of command reads them
    ("GET", "/api/callers/flags"): rule(REVIEWERS | {"direktur", "commander"}),
    ("POST", "/api/callers/flags/{flag_id}/review"): rule(REVIEWERS),
    # calls: the PABX/CTI posts ringing calls; operators answer them or take one at the desk
    ("POST", "/api/calls"): rule(frozenset({"telephony", "admin"})),
    ("POST", "/api/calls/take"): rule(OPERATORS | ADMIN),
    ("GET", "/api/calls"): rule(OPERATORS | ADMIN),
    ("POST", "/api/calls/{call_id}/answer"): rule(OPERATORS | ADMIN),
    # bantuan: any operator asks; the unit's Polres or the Polda decides (scope: the unit's)
    ("POST", "/api/incidents/{incident_id}/bantuan"): rule(OPERATORS | ADMIN),
    ("GET", "/api/bantuan"): rule(WATCHERS),
    ("POST", "/api/bantuan/{request_id}/approve"): rule(BANTUAN_DECIDERS),
    ("POST", "/api/bantuan/{request_id}/refuse"): rule(BANTUAN_DECIDERS),
    # console (issue 17): the board and fleet for every watcher, lifecycle steps for operators
    ("GET", "/api/console/board"): rule(WATCHERS),
    ("GET", "/api/console/units"): rule(WATCHERS),
    ("GET", "/api/console/find"): rule(OPERATORS | ADMIN),
    ("POST", "/api/incidents/{incident_id}/assignments/{assignment_id}/cancel"): rule(
        OPERATORS | ADMIN
    ),
    ("POST", "/api/incidents/{incident_id}/assignments/{assignment_id}/reassign"): rule(
        OPERATORS | ADMIN
    ),
    ("POST", "/api/incidents/{incident_id}/callback"): rule(OPERATORS | ADMIN),
    ("POST", "/api/incidents/{incident_id}/assignments/{assignment_id}/complete"): rule(
        UNIT_DESK, unit_param="assignment_id"
    ),
    # pages: the shells and their assets load without a token, then log in through the API
    ("GET", "/operator"): PUBLIC,
    ("GET", "/commander"): PUBLIC,
    ("GET", "/planner"): PUBLIC,
    ("GET", "/unit"): PUBLIC,
    ("GET", "/trackers"): PUBLIC,
    ("GET", "/static/{path:path}"): PUBLIC,
    ("GET", "/api/map/jurisdictions"): rule(STAFF | SPKT_READERS),
    # planner: aggregates (and exports) within the caller's scope
    ("GET", "/api/planner/summary"): rule(STAFF),
    ("GET", "/api/planner/heat"): rule(STAFF),
    ("GET", "/api/planner/hexbins"): rule(STAFF),
    ("GET", "/api/planner/share"): rule(STAFF),
    ("GET", "/api/planner/coverage"): rule(STAFF),
    ("GET", "/api/planner/export.csv"): rule(STAFF),
    ("GET", "/api/planner/export.geojson"): rule(STAFF),
    # unit page: the logged-in unit's own job and phone location
    ("GET", "/api/me/job"): rule(UNIT),
    ("POST", "/api/me/location"): rule(UNIT),
    # live map: server-sent events (token also as ?access_token=)
    ("GET", "/api/live/units"): rule(WATCHERS, query_token=True),
    # spkt: the desk receives and issues, Sat Reskrim (desk) assesses and writes SP2HP, the
    # chain of command follows what is open; the services check function and case access
    ("POST", "/api/spkt/reports"): rule(SPKT_DESK),
    ("GET", "/api/spkt/reports"): rule(SPKT_READERS),
    ("GET", "/api/spkt/reports/{report_id}"): rule(SPKT_READERS),
    ("GET", "/api/spkt/reports/{report_id}/events"): rule(SPKT_READERS),
    ("POST", "/api/spkt/reports/{report_id}/consultation"): rule(SPKT_DESK),
    ("POST", "/api/spkt/reports/{report_id}/assessment"): rule(FUNCTION_DESK),
    ("POST", "/api/spkt/reports/{report_id}/laporan-polisi"): rule(SPKT_DESK),
    ("POST", "/api/spkt/reports/{report_id}/lost-item-letter"): rule(SPKT_DESK),
    ("POST", "/api/spkt/reports/{report_id}/visum-request"): rule(SPKT_DESK),
    ("POST", "/api/spkt/reports/{report_id}/close"): rule(SPKT_DESK),
    ("POST", "/api/spkt/reports/{report_id}/sp2hp"): rule(FUNCTION_DESK),
    ("POST", "/api/spkt/reports/{report_id}/attachments"): rule(SPKT_DESK),
    ("GET", "/api/spkt/attachments/{attachment_id}"): rule(SPKT_CASE),
    ("GET", "/api/spkt/documents/{document_id}/pdf"): rule(SPKT_CASE),
    ("POST", "/api/spkt/documents/{document_id}/correction"): rule(SPKT_DESK),
    ("GET", "/api/spkt/incidents/{incident_id}/settlement"): rule(SPKT_READERS),
    ("GET", "/api/spkt/aging"): rule(FOLLOW_UP),
    ("GET", "/api/spkt/accountability"): rule(FOLLOW_UP),
    ("GET", "/api/spkt/accountability/pdf"): rule(FOLLOW_UP),
    ("POST", "/api/spkt/officials"): rule(ADMIN),
    ("GET", "/api/spkt/signers"): rule(SPKT_DESK),
    ("GET", "/spkt"): PUBLIC,
    ("GET", "/sp2hp"): PUBLIC,
    # the reporter's own progress: no account, only LP number + name + date of birth
    ("POST", "/api/sp2hp"): PUBLIC,
}


# piket (issue 13): the Perwira Piket leads shifts and gives orders; operators are its members
# and record actions; a function's desk handles forwards to it; the Direktur reads it all.
PERWIRA = frozenset({"perwira_piket"}) | ADMIN
PIKET_DESK = OPERATORS | PERWIRA
PIKET_READ = PIKET_DESK | {"direktur", "commander"}
FUNCTION_DESK = frozenset({"desk"}) | ADMIN
REPORT_READ = PERWIRA | {"direktur", "commander"}
POLICY.update(
    {
        ("POST", "/api/piket/shifts"): rule(PERWIRA),
        ("GET", "/api/piket/shifts"): rule(PIKET_READ),
        ("GET", "/api/piket/shifts/current"): rule(PIKET_READ),
        ("POST", "/api/piket/shifts/{shift_id}/handover"): rule(PERWIRA),
        ("POST", "/api/piket/shifts/{shift_id}/acknowledge"): rule(PERWIRA),
        ("GET", "/api/piket/shifts/{shift_id}/journal"): rule(PIKET_READ),
        ("POST", "/api/piket/shifts/{shift_id}/journal"): rule(PIKET_DESK),
        ("GET", "/api/piket/shifts/{shift_id}/journal.pdf"): rule(PIKET_READ),
        ("GET", "/api/incidents/{incident_id}/piket"): rule(PIKET_READ),
        ("GET", "/api/piket/greeting"): rule(PIKET_DESK),
        ("GET", "/api/piket/queue"): rule(PERWIRA | {"direktur"}),
        ("POST", "/api/incidents/{incident_id}/orders"): rule(PERWIRA),
        ("GET", "/api/piket/orders"): rule(PIKET_READ),
        ("POST", "/api/piket/orders/{order_id}/actions"): rule(PIKET_DESK),
        ("POST", "/api/piket/orders/{order_id}/done"): rule(PIKET_DESK),
        ("POST", "/api/incidents/{incident_id}/forwards"): rule(PIKET_DESK),
        ("GET", "/api/forwards"): rule(PIKET_READ | FUNCTION_DESK),
        ("POST", "/api/forwards/{forward_id}/acknowledge"): rule(FUNCTION_DESK),
        ("POST", "/api/forwards/{forward_id}/result"): rule(FUNCTION_DESK),
        ("GET", "/api/incidents/{incident_id}/eido"): rule(PIKET_READ | FUNCTION_DESK),
        ("GET", "/api/reports/daily"): rule(REPORT_READ),
        ("GET", "/api/reports/daily.pdf"): rule(REPORT_READ),
        ("POST", "/api/reports/daily/sign"): rule(frozenset({"perwira_piket"})),
        ("GET", "/api/reports"): rule(REPORT_READ),
        ("GET", "/piket"): PUBLIC,
        ("GET", "/fungsi"): PUBLIC,
        ("GET", "/direktur"): PUBLIC,
    }
)


def rule_for(method: str, path: str) -> Rule | None:
    """The rule for a route (HEAD is treated as GET); None: not in the policy, so denied."""
    method = "GET" if method == "HEAD" else method
    return POLICY.get((method, path))
