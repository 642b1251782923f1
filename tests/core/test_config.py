import pytest

from sahaja.config import ConfigError, load_config, parse_config

MINIMAL = """
timezone = "Asia/Jakarta"
[[service]]
code = "KTP"
name = "KTP-el"
prefix = "A"
[[service]]
code = "KK"
name = "Kartu Keluarga"
prefix = "B"
[[site]]
code = "PRE"
name = "Kantor Kecamatan Pare"
daily_quota = 80
services = ["KTP", "KK"]
hours = { mon = "07:30-15:00", fri = "07:30-14:00", sun = "00:00-24:00" }
ticket_cutoff_minutes = 60
service_quota = { KTP = 40 }
[[site.counter]]
code = "L1"
name = "Loket 1"
services = ["KTP", "KK"]
[[kecamatan]]
code = "35.06.17"
name = "Pare"
site = "PRE"
"""


def test_builtin_kediri_config_has_the_six_sites_services_and_26_kecamatan():
    cfg = load_config()
    assert set(cfg.sites) == {"DKC", "PRE", "PPR", "NGD", "BNY", "WTS"}
    assert [s.prefix for s in cfg.services.values()] == list("ABCDEF")
    assert len(cfg.kecamatan) == 26
    assert sum(s.daily_quota for s in cfg.sites.values()) == 600
    for site in cfg.sites.values():
        assert 2 <= len(site.counters) <= 3
        assert 5 not in site.hours and 6 not in site.hours  # weekend closed
        assert str(site.hours[4]) == "07:30-14:00"


def test_minimal_config_parses():
    cfg = parse_config(MINIMAL)
    site = cfg.sites["PRE"]
    assert site.service_quota == {"KTP": 40}
    assert site.counters[0].id == "PRE-L1" and site.counters[0].number == 1
    assert str(site.hours[6]) == "00:00-24:00"
    assert 1 not in site.hours


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            (
                'name = "Loket 1"\nservices = ["KTP", "KK"]',
                'name = "Loket 1"\nservices = ["KTP", "XYZ"]',
            ),
            "site[PRE].counter[L1].services: unknown service 'XYZ'",
        ),
        (('prefix = "B"', 'prefix = "A"'), "service[KK].prefix: duplicate prefix 'A'"),
        (("daily_quota = 80", "daily_quota = -1"), "site[PRE].daily_quota: quota below zero"),
        (('mon = "07:30-15:00"', 'mon = "7.30 to 15"'), "site[PRE].hours.mon: malformed hours"),
        (('mon = "07:30-15:00"', 'mon = "15:00-07:30"'), "site[PRE].hours.mon: malformed hours"),
        (('mon = "07:30-15:00"', 'mondai = "07:30-15:00"'), "site[PRE].hours.mondai: unknown day"),
        (("KTP = 40", "KTP = -5"), "site[PRE].service_quota.KTP: quota below zero"),
        (('timezone = "Asia/Jakarta"', 'timezone = "Mars/Olympus"'), "timezone: unknown time zone"),
        (('site = "PRE"', 'site = "XXX"'), "kecamatan[0].site: unknown site 'XXX'"),
        (("daily_quota = 80", 'daily_quota = "80"'), "site[PRE].daily_quota: expected an integer"),
    ],
)
def test_bad_config_is_refused_naming_key_and_problem(change, message):
    old, new = change
    assert old in MINIMAL
    text = MINIMAL.replace(old, new)
    with pytest.raises(ConfigError) as err:
        parse_config(text)
    assert message in str(err.value)


def test_a_service_no_counter_serves_is_refused():
    text = MINIMAL.replace(
        'name = "Loket 1"\nservices = ["KTP", "KK"]', 'name = "Loket 1"\nservices = ["KTP"]'
    )
    with pytest.raises(ConfigError, match=r"site\[PRE\].counter: no counter serves service 'KK'"):
        parse_config(text)


def test_invalid_toml_is_refused():
    with pytest.raises(ConfigError, match="not valid TOML"):
        parse_config("code = 'A'; name = 'x'")
