"""GET /api/incidents/{id}/eido: the components and identifiers NENA-STA-021.1a requires.

Checked: the document's eidoVersion and issuingElementIdentification; every data component's
prologue ($id, lastUpdateTimestamp, updatedByAgencyReference); every {"$ref"} resolving to a
component of the document; the incident type from the registry; the location as PIDF-LO with
the incident's own coordinates; and who may read it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime

from tests.dispatch.factories import INCIDENT_LAT, INCIDENT_LON, incident_body

DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
URN = re.compile(r"^urn:emergency:uid:[a-z]+id:[^:\s]+:[a-z0-9.-]+$")
COMPONENTS = ("agencyComponent", "locationComponent", "personComponent", "notesComponent")
GML = "{http://www.opengis.net/gml}"


def _refs(value: object) -> list[str]:
    if isinstance(value, dict):
        found = [value["$ref"]] if set(value) == {"$ref"} else []
        return found + [r for v in value.values() for r in _refs(v)]
    if isinstance(value, list):
        return [r for v in value for r in _refs(v)]
    return []


def _check_prologue(component: dict, agencies: set[str]) -> None:
    assert component["$id"] and isinstance(component["$id"], str)
    stamp = datetime.fromisoformat(component["lastUpdateTimestamp"])
    assert stamp.utcoffset() is not None, "timestamps carry their offset"
    assert component["updatedByAgencyReference"]["$ref"] in agencies


def test_eido_document_has_what_the_standard_requires(user_client, area, people) -> None:
    operator = user_client("polda_operator", jurisdiction_id=area.polda.id)
    created = operator.post(
        "/api/incidents", json=incident_body(category="kebakaran", address="Jl. Ahmad Yani")
    )
    incident_id = created.json()["id"]
    operator.post(f"/api/incidents/{incident_id}/validate", json={"validity": "valid"})
    sent = operator.post(f"/api/incidents/{incident_id}/forwards", json={"functions": ["damkar"]})
    assert sent.json()[0]["eido_url"] == f"/api/incidents/{incident_id}/eido"

    eido = operator.get(f"/api/incidents/{incident_id}/eido").json()
    assert eido["eidoVersion"] == "1.0"
    assert DOMAIN.match(eido["issuingElementIdentification"])
    assert URN.match(eido["$id"]) and f":{incident_id}:" in eido["$id"]
    agencies = {a["$id"] for a in eido["agencyComponent"]}
    assert all(DOMAIN.match(a) for a in agencies)
    _check_prologue(eido, agencies)
    incident = eido["incidentComponent"]
    _check_prologue(incident, agencies)
    assert incident["incidentTypeCommonRegistryText"] == "Fire"
    assert 0 <= incident["incidentCommonPriorityNumber"] <= 10
    ids = {eido["$id"], incident["$id"]}
    for name in COMPONENTS:
        assert eido[name], name
        for component in eido[name]:
            _check_prologue(component, agencies)
            assert component["$id"] not in ids, "component ids are unique in the document"
            ids.add(component["$id"])
    assert set(_refs(eido)) <= ids, "every $ref resolves inside the document"

    owning = [a for a in eido["agencyComponent"] if a["incidentOwningAgencyIndicator"]]
    assert len(owning) == 1 and owning[0]["agencyType"]
    assert any(
        a["agencyType"] == ["urn:emergency:service:responder.fire"] for a in eido["agencyComponent"]
    )
    (location,) = eido["locationComponent"]
    assert location["locationTypeDescriptionRegistryText"]
    pos = ET.fromstring(location["locationByValue"]).find(f".//{GML}pos").text
    lat, lon = (float(v) for v in pos.split())
    assert (lat, lon) == (round(INCIDENT_LAT, 6), round(INCIDENT_LON, 6))
    assert all(n["notesActionComments"] for n in eido["notesComponent"])
    assert eido["personComponent"][0]["personIncidentRoleRegistryText"] == ["Caller"]

    damkar = user_client("desk", jurisdiction_id=area.polres.id, function_code="damkar")
    assert damkar.get(f"/api/incidents/{incident_id}/eido").status_code == 200
    lantas = user_client("desk", jurisdiction_id=area.polres.id, function_code="lantas")
    assert lantas.get(f"/api/incidents/{incident_id}/eido").status_code == 404
    other = user_client("polres_operator", jurisdiction_id=area.other_polres.id)
    assert other.get(f"/api/incidents/{incident_id}/eido").status_code == 404
