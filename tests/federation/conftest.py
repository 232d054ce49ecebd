"""Fixtures of partner-network tests: two whole Commonpot installs
(tests/federation/installs.py; tests that use them start real servers: mark them
`pytest.mark.slow`), and a partner install played in-process (fake_partner.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.federation.fake_partner import make_fake_partner
from tests.federation.installs import Install, template_for_installs

NAMES = ("Leeds Food Network", "Bradford Food Network")


@pytest.fixture(scope="session")
def install_template():
    """A migrated database every install starts from (see template_for_installs)."""
    return template_for_installs()


@pytest.fixture
def make_install(request, install_template, tmp_path):
    """make_install(name, **options): an Install, not yet migrated nor started,
    closed (servers stopped, database dropped) when the test ends, however it ends."""
    made: list[Install] = []
    request.node.installs = made

    def make(name: str, **options) -> Install:
        root = tmp_path / name.lower().replace(" ", "-")
        install = Install(name, root, template=install_template, **options)
        made.append(install)
        return install

    yield make
    if made:
        # Together: each waits a moment for its servers to stop. One that fails to
        # close does not keep the others open.
        with ThreadPoolExecutor(len(made)) as pool:
            closing = [pool.submit(install.close) for install in made]
        for done in closing:
            if done.exception():
                raise done.exception()


def ready(install: Install) -> Install:
    install.migrate()
    install.start()
    return install


@pytest.fixture
def two_installs(make_install) -> tuple[Install, Install]:
    """Leeds and Bradford, migrated and answering, each on its own port and database."""
    installs = [make_install(name) for name in NAMES]
    with ThreadPoolExecutor(len(installs)) as pool:
        a, b = pool.map(ready, installs)
    return a, b


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's report ends with its installs' server logs."""
    report = yield
    if report.failed:
        for install in getattr(item, "installs", []):
            report.sections.append((f"{install.name} ({install.site_url})", install.output()))
    return report


@pytest.fixture
def fake_partner(db):
    """Harbour Food Network at http://partner.example, active, with its own key;
    none of our sites take part yet."""
    return make_fake_partner()


@pytest.fixture
def fake_partner_with_riverside(fake_partner, site):
    """The fake partner, with our Riverside Kitchen taking part (every category)."""
    fake_partner.row.sites.add(site)
    return fake_partner
