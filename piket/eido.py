"""An incident as a NENA EIDO JSON document (NENA-STA-021.1a), for agencies outside Polri.

Every data component carries the prologue the standard requires ($id, lastUpdateTimestamp,
updatedByAgencyReference); references are {"$ref": <$id>} and resolve inside the document.
Agency identifiers are domain names (NENA-STA-010 section 2.1), the incident id is a
urn:emergency:uid:incidentid URN, the location is a PIDF-LO document (RFC 4119, GML point
"lat lon" in WGS 84, the order GML's EPSG:4326 axis definition uses).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.intake import incident_lonlat
from dispatch.log import list_log
from dispatch.models import Incident
from dispatch.taxonomy import CATEGORIES
from jurisdictions.models import Jurisdiction
from piket.clock import local
from piket.functions import FUNCTIONS
from piket.models import Forward

EIDO_VERSION = "1.0"
POLRI_DOMAIN = "polri.go.id"
# Our categories in the EIDO Incident Type registry's words (NENA-STA-021.1a section 3.2,
# built on APCO's common incident types); the internal code and text travel beside them.
INCIDENT_TYPES = {
    "kecelakaan_lalu_lintas": "Traffic Crash",
    "pencurian": "Theft",
    "penganiayaan": "Assault",
    "kdrt": "Domestic Violence",
    "kerusuhan": "Civil Disturbance",
    "bencana": "Natural Disaster",
    "kebakaran": "Fire",
    "ancaman": "Threats",
    "penghinaan": "Harassment",
    "orang_hilang": "Missing Person",
    "narkoba": "Drugs",
    "informasi": "Information",
    "lainnya": "Other",
}
# IANA urn:emergency:service:responder registry (RFC 7163) for the receiving agency.
RESPONDER = {"damkar": "fire", "bpbd": "search_and_rescue", "psc119": "ems"}


def agency_domain(jurisdiction: Jurisdiction | None) -> str:
    """A DNS-safe agency identifier for a Polda/Polres call centre, under polri.go.id."""
    code = jurisdiction.code if jurisdiction else "pusat"
    label = re.sub(r"[^a-z0-9-]+", "-", code.lower()).strip("-") or "pusat"
    return f"callcenter110.{label}.{POLRI_DOMAIN}"


def _stamp(at: datetime, zone_name: str | None) -> str:
    return local(at, zone_name).isoformat(timespec="milliseconds")


def _pidf_lo(entity: str, lon: float, lat: float, address: str, described: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:{escape(entity)}">'
        '<tuple id="incident"><status><geopriv xmlns="urn:ietf:params:xml:ns:pidf:geopriv10">'
        '<location-info><Point xmlns="http://www.opengis.net/gml"'
        ' srsName="urn:ogc:def:crs:EPSG::4326">'
        f"<pos>{lat:.6f} {lon:.6f}</pos></Point>"
        '<civicAddress xmlns="urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr">'
        "<country>ID</country>"
        f"<A6>{escape(address)}</A6><LOC>{escape(described)}</LOC>"
        "</civicAddress></location-info>"
        "<usage-rules/></geopriv></status></tuple></presence>"
    )


def incident_eido(session: Session, incident: Incident, *, now: datetime | None = None) -> dict:
    """The EIDO of an incident as it stands now (who owns it, where, who called, what was done)."""
    now = now or datetime.now(UTC)
    zone_name = incident.timezone
    owner = session.get(Jurisdiction, incident.polres_id or incident.polda_id or -1)
    owner_id = agency_domain(owner)
    updated = {
        "lastUpdateTimestamp": _stamp(now, zone_name),
        "updatedByAgencyReference": {"$ref": owner_id},
    }
    location_id = f"urn:emergency:uid:locationid:{incident.id}-1:{owner_id}"
    caller_id = f"urn:emergency:uid:personid:{incident.id}-1:{owner_id}"
    notes = _notes(session, incident, owner_id, zone_name)
    lon, lat = incident_lonlat(incident)
    described = incident.location_description or ""
    return {
        "$id": f"urn:emergency:uid:incidentid:{incident.id}:{owner_id}",
        "eidoVersion": EIDO_VERSION,
        **updated,
        "issuingElementIdentification": owner_id,
        "incidentComponent": {
            "$id": f"urn:emergency:uid:componentid:{incident.id}-incident:{owner_id}",
            **updated,
            "incidentTypeCommonRegistryText": INCIDENT_TYPES.get(incident.category, "Other"),
            "incidentTypeInternalCode": incident.category,
            "incidentTypeInternalText": CATEGORIES.get(incident.category, incident.category),
            "incidentStatusInternalText": [incident.status],
            "internalIncidentId": str(incident.id),
            "incidentPriorityInternalText": str(incident.priority),
            # Our 1 (darurat) .. 3 (biasa) onto the standard's 10 (highest) .. 0 scale.
            "incidentCommonPriorityNumber": {1: 9, 2: 6, 3: 3}.get(incident.priority, 5),
            "locationReference": [{"$ref": location_id}],
            "personReference": [{"$ref": caller_id}],
            "notesReference": [{"$ref": note["$id"]} for note in notes],
        },
        "agencyComponent": _agencies(session, incident, owner, owner_id, updated),
        "locationComponent": [
            {
                "$id": location_id,
                **updated,
                "locationTypeDescriptionRegistryText": "CurrentIncident",
                "locationByValue": _pidf_lo(owner_id, lon, lat, incident.address, described),
                # The reverse-geocoded line, then the caller's own words for the place.
                "locationDescriptionText": "; ".join(filter(None, (described, incident.address))),
            }
        ],
        "personComponent": [
            {
                "$id": caller_id,
                **updated,
                "personIncidentRoleRegistryText": ["Caller"],
                "personJcard": [
                    "vcard",
                    [
                        ["version", {}, "text", "4.0"],
                        ["fn", {}, "text", incident.caller_name],
                        ["tel", {}, "uri", f"tel:{incident.caller_phone}"],
                    ],
                ],
            }
        ],
        "notesComponent": notes,
    }


def _agencies(
    session: Session,
    incident: Incident,
    owner: Jurisdiction | None,
    owner_id: str,
    updated: dict[str, Any],
) -> list[dict[str, Any]]:
    agencies = [
        {
            "$id": owner_id,
            **updated,
            "agencyRoleDescriptionRegistryText": ["CallReceiving", "Dispatch"],
            "incidentOwningAgencyIndicator": True,
            "agencyType": ["urn:emergency:service:responder.police"],
            "agencyJcard": [
                "vcard",
                [
                    ["version", {}, "text", "4.0"],
                    ["fn", {}, "text", owner.name if owner else "Polri"],
                ],
            ],
        }
    ]
    codes = session.scalars(
        select(Forward.function_code).where(Forward.incident_id == incident.id).order_by(Forward.id)
    )
    for code in codes:
        if not FUNCTIONS[code].outside_polri:
            continue
        agencies.append(
            {
                "$id": f"{code}.{owner_id.removeprefix('callcenter110.')}",
                **updated,
                "agencyRoleDescriptionRegistryText": ["Responding"],
                "incidentOwningAgencyIndicator": False,
                "agencyType": [f"urn:emergency:service:responder.{RESPONDER.get(code, 'other')}"],
                "agencyJcard": [
                    "vcard",
                    [["version", {}, "text", "4.0"], ["fn", {}, "text", FUNCTIONS[code].label]],
                ],
            }
        )
    return agencies


def _notes(
    session: Session, incident: Incident, owner_id: str, zone_name: str | None
) -> list[dict[str, Any]]:
    texts = [(incident.created_at, incident.description or CATEGORIES.get(incident.category, ""))]
    texts += [(entry.at, entry.message) for entry in list_log(session, incident_id=incident.id)]
    return [
        {
            "$id": f"urn:emergency:uid:noteid:{incident.id}-{n}:{owner_id}",
            "lastUpdateTimestamp": _stamp(at, zone_name),
            "updatedByAgencyReference": {"$ref": owner_id},
            "notesActionComments": f"<p>{escape(text)}</p>",
        }
        for n, (at, text) in enumerate(texts, start=1)
    ]
