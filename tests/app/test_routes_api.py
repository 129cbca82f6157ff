"""Sea routes, matrices and passages through HTTP."""

from __future__ import annotations

import itertools

import pytest
from fastapi.testclient import TestClient

MURMANSK = "ru-murmansk-port"
VLADIVOSTOK = "ru-vladivostok-naval-base"
MUMBAI = "in-mumbai-naval-dockyard"


def test_route_is_a_geojson_feature_with_distance_duration_and_passages(client: TestClient) -> None:
    resp = client.get(f"/routes?origin={MUMBAI}&destination={VLADIVOSTOK}&speed_kn=15")
    assert resp.status_code == 200, resp.text
    feat = resp.json()
    assert feat["type"] == "Feature" and feat["geometry"]["type"] == "LineString"
    props = feat["properties"]
    assert props["origin"]["id"] == MUMBAI and props["destination"]["id"] == VLADIVOSTOK
    assert props["duration_h"] == pytest.approx(props["distance_nm"] / 15, abs=0.1)
    assert "malacca" in props["passages"] and "suez" not in props["passages"]
    lons = [c[0] for c in feat["geometry"]["coordinates"]]
    assert all(abs(b - a) < 180 for a, b in itertools.pairwise(lons))


def test_nsr_in_august_suez_in_february_cape_when_suez_shut(client: TestClient) -> None:
    base = f"/routes?origin={MURMANSK}&destination={VLADIVOSTOK}"
    aug = client.get(f"{base}&date=2026-08-15").json()["properties"]
    feb = client.get(f"{base}&date=2026-02-15").json()["properties"]
    west = client.get(f"{base}&date=2026-02-15&closed=suez").json()["properties"]
    cape = client.get(f"{base}&date=2026-02-15&closed=suez,panama").json()["properties"]
    assert "nsr" in aug["passages"] and "suez" not in aug["passages"]
    assert "suez" in feb["passages"] and "nsr" not in feb["passages"]
    # With Suez shut, Panama is shorter than the Cape; with both shut, the Cape.
    assert "panama" in west["passages"] and "suez" not in west["passages"]
    assert "cape-of-good-hope" in cape["passages"] and "suez" not in cape["passages"]
    assert aug["distance_nm"] < feb["distance_nm"] < west["distance_nm"] < cape["distance_nm"]


def test_alternatives_are_distinct(client: TestClient) -> None:
    feat = client.get(
        f"/routes?origin={MUMBAI}&destination=gb-portsmouth-naval-base&alternatives=2"
    ).json()
    alts = feat["properties"]["alternatives"]
    assert len(alts) == 1
    assert alts[0]["properties"]["passages"] != feat["properties"]["passages"]
    assert alts[0]["properties"]["distance_nm"] >= feat["properties"]["distance_nm"]


def test_via_forces_a_passage(client: TestClient) -> None:
    feat = client.get(
        f"/routes?origin={MUMBAI}&destination=gb-portsmouth-naval-base&via=cape-of-good-hope"
    ).json()
    assert "cape-of-good-hope" in feat["properties"]["passages"]
    assert "suez" not in feat["properties"]["passages"]


def test_via_means_through_end_to_end(client: TestClient) -> None:
    """Via the NSR from Mumbai: in at one end, out at the other (not in and back out of the
    Bering end, which reported ``bering, nsr, bering``)."""
    feat = client.get(
        f"/routes?origin={MUMBAI}&destination=ru-vladivostok-naval-base&via=nsr&date=2026-08-15"
    ).json()
    passages = feat["properties"]["passages"]
    assert passages.count("nsr") == 1 and passages.count("bering") == 1
    assert passages.index("nsr") < passages.index("bering")
    lon = [p[0] % 360 for p in feat["geometry"]["coordinates"] if p[1] > 70]
    assert min(lon) < 68 and max(lon) > 170  # the Kara Sea and the East Siberian Sea
    # the Turkish Straits: both the Dardanelles and the Bosporus, from the Black Sea
    straits = client.get(
        f"/routes?origin=ru-novorossiysk-naval-base&destination={MUMBAI}&via=bosporus"
    ).json()
    assert straits["properties"]["passages"][:2] == ["bosporus", "suez"]
    winter = client.get(
        f"/routes?origin={MUMBAI}&destination=ru-vladivostok-naval-base&via=nsr&date=2027-02-01"
    )
    assert winter.status_code == 422
    assert "nsr" in winter.json()["detail"][0]["msg"]


def test_sea_point_endpoints(client: TestClient) -> None:
    feat = client.get(f"/routes?origin=72.5,18.5&destination={VLADIVOSTOK}").json()
    assert feat["properties"]["origin"]["coordinates"] == [72.5, 18.5]
    assert feat["geometry"]["coordinates"][0] == pytest.approx([72.5, 18.5], abs=0.01)


def test_on_land_point_gives_the_nearest_sea_point(client: TestClient) -> None:
    resp = client.get(f"/routes?origin=77.2,28.6&destination={MUMBAI}")  # New Delhi
    assert resp.status_code == 422
    item = resp.json()["detail"][0]
    assert item["loc"] == ["query", "origin"] and item["type"] == "on_land"
    assert len(item["nearest_sea"]) == 2 and item["distance_nm"] > 100


def test_cut_off_route_names_the_closures(client: TestClient) -> None:
    resp = client.get(
        f"/routes?origin=ru-sevastopol-naval-base&destination={MUMBAI}&closed=bosporus"
    )
    if resp.status_code == 404:  # Sevastopol is recorded under its own id
        resp = client.get(
            f"/routes?origin=ua-sevastopol-naval-base&destination={MUMBAI}&closed=bosporus"
        )
    assert resp.status_code == 422, resp.text
    item = resp.json()["detail"][0]
    assert item["type"] == "no_route" and "bosporus" in item["closures"]
    assert "bosporus" in item["msg"]


def test_matrix_is_symmetric_and_matches_routes(client: TestClient) -> None:
    ids = [MUMBAI, VLADIVOSTOK, MURMANSK, "ru-kaspiysk-naval-base"]
    body = client.post("/matrix", json={"facilities": ids, "closed": ["suez"]}).json()
    d = body["distance_nm"]
    assert body["facilities"] == ids and "suez" in body["closed"]
    assert d[0][0] == 0 and d[0][1] == pytest.approx(d[1][0], rel=1e-6)
    assert d[0][3] is None and d[3][0] is None, "the Caspian is not reachable by sea: null"
    route = client.get(f"/routes?origin={MUMBAI}&destination={MURMANSK}&closed=suez").json()
    assert d[0][2] == pytest.approx(route["properties"]["distance_nm"], abs=0.2)


def test_passages_list(client: TestClient) -> None:
    body = client.get("/passages").json()
    ids = {p["id"] for p in body["passages"]}
    required = {
        "suez",
        "bab-el-mandeb",
        "hormuz",
        "malacca",
        "singapore",
        "sunda",
        "lombok",
        "gibraltar",
        "bosporus",
        "panama",
        "cape-of-good-hope",
        "bering",
        "nsr",
        "nwp",
        "korea-strait-western-channel",
        "tsushima-strait-eastern-channel",
        "taiwan",
        "great-belt",
        "oresund",
    }
    assert required <= ids
    nsr = next(p for p in body["passages"] if p["id"] == "nsr")
    assert nsr["seasonal"] and "November" in nsr["season_rule"]


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        (f"/routes?origin=nowhere&destination={MUMBAI}", 404, "origin"),
        (f"/routes?origin={MUMBAI}&destination=in-goa-ins-hansa", 422, "destination"),
        (f"/routes?origin={MUMBAI}&destination={VLADIVOSTOK}&closed=atlantis", 422, "closed"),
        (f"/routes?origin={MUMBAI}&destination=10,95", 422, "destination"),
        (f"/routes?origin={MUMBAI}&destination={VLADIVOSTOK}&speed_kn=0", 422, "speed_kn"),
        (f"/routes?origin={MUMBAI}&destination={VLADIVOSTOK}&alternatives=9", 422, "alternatives"),
        (f"/routes?origin={MUMBAI}&destination={VLADIVOSTOK}&date=2026-02-31", 422, "date"),
        (f"/routes?origin={MUMBAI}&destination={VLADIVOSTOK}&ice_class=Arc99", 422, "ice_class"),
        (f"/routes?origin={MUMBAI}", 422, "destination"),
    ],
)
def test_bad_route_requests_name_the_field(
    client: TestClient, url: str, status: int, field: str
) -> None:
    resp = client.get(url)
    assert resp.status_code == status, resp.text
    assert any(field in [str(p) for p in i["loc"]] for i in resp.json()["detail"])


def test_matrix_rejects_bad_bodies(client: TestClient) -> None:
    too_many = client.post("/matrix", json={"facilities": [MUMBAI] * 501})
    assert too_many.status_code == 422
    unknown = client.post("/matrix", json={"facilities": [MUMBAI, "nowhere"]})
    assert unknown.status_code == 404
    assert unknown.json()["detail"][0]["loc"] == ["body", "facilities.1"]


def test_a_dated_route_is_judged_on_the_days_it_is_in_each_passage(client: TestClient) -> None:
    """Leaving Murmansk on 8 November 2027 at 14 kn, a ship without ice class would be in
    the NSR until about 17 November, past its 15 November close: the route goes round,
    and says so. In August every passage gets its entry and exit times, in season."""
    base = "/routes?origin=ru-murmansk-port&destination=ru-vladivostok-naval-base&speed_kn=14"
    late = client.get(f"{base}&date=2027-11-08").json()["properties"]
    assert "nsr" not in late["passages"] and late["season_closed"] == ["nsr"]
    assert any("Northern Sea Route" in w and "15 Nov" in w for w in late["warnings"])
    aug = client.get(f"{base}&date=2027-08-01").json()["properties"]
    assert "nsr" in aug["passages"] and aug["season_closed"] == []
    names = [t["passage"] for t in aug["transits"]]
    assert names[0] == "nsr" and "bering" in names
    for t in aug["transits"]:
        assert "2027-08-01" <= t["entered"] <= t["left"] < "2027-09-01"
        assert t["entered_nm"] <= t["left_nm"] <= aug["distance_nm"]
    nsr = aug["transits"][0]
    hours = (nsr["left_nm"] - nsr["entered_nm"]) / 14
    assert 100 < hours < 300  # a transit of about 2,650 nm takes days, not an instant
    undated = client.get(base).json()["properties"]
    assert all("entered" not in t for t in undated["transits"])


def test_a_platform_shows_its_fuel_curve(client: TestClient) -> None:
    body = client.get("/platforms/talwar").json()
    model = body["fuel_model"]
    assert {"speed_kn": 30.0, "range_nm": 1600.0} in model["published"]
    at = {row["speed_kn"]: row["range_nm"] for row in model["range_nm_at"]}
    assert at[14.0] == 4850.0 and at[30.0] == 1600.0
    assert model["fuel_capacity_t"] and "fuel_capacity_t" in model["stand_in"]
