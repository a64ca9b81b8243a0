"""The staff console in a real browser (Debian's Chromium, driven by Playwright) on a real hub.

The story of issue 17: the national admin signs in, finds a complaint in triage, dispositions it
to an agency chosen by search; that agency's officer, whose inbox is open, sees it arrive without
a reload, accepts it and follows it up; the public view shows the new status; an officer of
another agency cannot open it. Beside it: the supervisors' overdue list, the English switch,
accessibility (axe-core's WCAG 2.1 A/AA rules on every screen, and the flows done with the
keyboard), the Content-Security-Policy, and a page that asks nothing of anyone but the hub.

The hub's clock runs 4 hours per second (LAPOR_TIME_SCALE) so that a complaint nobody follows
up becomes overdue and climbs the escalation ladder while the test runs. Screenshots of every
screen go to LAPOR_SCREENSHOT_DIR (a temporary folder by default); with LAPOR_UPDATE_SCREENSHOT=1
the ones the README shows are written to docs/ too.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser import chromium
from tests.hub.complaints import complaint_body
from tests.hub.harness import Credentials, http, start_hub, wait_for

pytestmark = pytest.mark.kafka

PRINGSEWU, BANDAR_LAMPUNG, METRO = "18.10", "18.71", "18.72"
FOUR_HOURS_PER_SECOND = str(4 * 3600)
DOCS = Path(__file__).resolve().parents[2] / "docs"
#: screen -> the file the README shows
README_SCREENS = {"triage": "console-triage.png", "disposition": "console-disposition.png",
                  "inbox": "console-inbox.png", "case": "console-case.png", "supervision": "console-supervision.png"}
AXE_RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
ACCOUNTS = {"admin-nasional": ("national-admin", None), "siti": ("agency-officer", PRINGSEWU),
            "joko": ("agency-officer", BANDAR_LAMPUNG), "inspektorat-lampung": ("supervisor", "18"),
            "inspektorat-jabar": ("supervisor", "32")}


@pytest.fixture(scope="module")
def hub(kafka_broker, hub_topics, tmp_path_factory):
    process = start_hub(kafka_broker.bootstrap, tmp_path_factory.mktemp("console-hub"),
                        extra_env={"LAPOR_TIME_SCALE": FOUR_HOURS_PER_SECOND})
    creds = Credentials(process.data_dir)
    for username, (role, agency) in ACCOUNTS.items():
        creds.token(username, role, agency)  # the account, with the password "password-<username>"
    yield process
    assert process.stop() == 0, process.log()[-3000:]


def _submit(hub, **overrides) -> str:
    status, body = http("POST", f"{hub.base_url}/api/v1/complaints", complaint_body(**overrides))
    assert status == 202, body
    return body["tracking_id"]


def _public(hub, tracking_id: str) -> dict:
    return http("GET", f"{hub.base_url}/api/v1/complaints/{tracking_id}")[1]


def _settled(hub, tracking_id: str, status: str) -> None:
    wait_for(lambda: _public(hub, tracking_id).get("status") == status, timeout=60,
             what=f"{tracking_id} to be {status}")


@pytest.fixture(scope="module")
def world(hub) -> dict:
    """A triage queue and agencies with complaints, as the national admin and agencies find them."""
    triage = _submit(hub, category="other", title="Pungutan liar saat mengurus KTP di kelurahan",
                     description="Petugas kelurahan meminta uang tambahan agar KTP elektronik cepat dicetak.")
    others = [_submit(hub, category="other", privacy="anonymous", title="Bantuan sosial tidak sampai ke warga desa",
                      description="Beberapa keluarga miskin di desa kami tidak menerima bantuan sembako."),
              _submit(hub, title="Jalan kabupaten rusak parah di Gadingrejo"),
              _submit(hub, title="Lampu jalan mati sejak sebulan di Pagelaran", privacy="confidential")]
    neglected = _submit(hub, title="Jalan berlubang di depan SD Negeri 1 Metro", region_code=METRO)
    for tracking_id in (triage, others[0]):
        _settled(hub, tracking_id, "triage")
    for tracking_id in (*others[1:], neglected):
        _settled(hub, tracking_id, "dispositioned")
    return {"triage": triage, "neglected": neglected}


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def screens(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("LAPOR_SCREENSHOT_DIR") or tmp_path_factory.mktemp("console-screens"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Tab:
    """One person's browser tab on the console: what it asked for, what went wrong in it."""

    def __init__(self, browser, hub, screens: Path) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
        self.page = self.context.new_page()
        self.hub, self.screens = hub, screens
        self.requests: list[str] = []
        self.problems: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Trusted Type" in text or message.type == "error" \
                and "Failed to load resource" not in text:
            self.problems.append(f"console {message.type}: {text}")

    def sign_in(self, username: str) -> None:
        self.page.goto(f"{self.hub.base_url}/console")
        self.page.get_by_label("Nama pengguna").fill(username)
        self.page.get_by_label("Kata sandi").fill(f"password-{username}")
        self.page.get_by_role("button", name="Masuk", exact=True).click()
        expect(self.page.locator(".who")).to_contain_text(username)

    def shot(self, name: str) -> None:
        path = self.screens / f"console-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        if os.environ.get("LAPOR_UPDATE_SCREENSHOT") == "1" and name in README_SCREENS:
            shutil.copyfile(path, DOCS / README_SCREENS[name])

    def accessible(self, what: str) -> None:
        """axe-core's WCAG 2.1 A and AA rules on the page as it is now: no violation."""
        results = Axe().run(self.page, options=AXE_RULES)
        found = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
                 for v in results.response["violations"]]
        assert not found, f"{what}: " + "; ".join(found)

    def row(self, tracking_id: str):
        return self.page.locator(f"tr[data-tracking-id='{tracking_id}']")

    def close(self) -> None:
        assert not self.problems, self.problems
        base = self.hub.base_url
        assert self.requests and all(url.startswith(base) for url in self.requests), "asked someone else than the hub"
        token = self.page.evaluate("() => sessionStorage.getItem('lapor-hub-token')")
        assert not token or all(token not in url for url in self.requests), "the token went into a URL"
        self.context.close()


@pytest.fixture
def tabs(browser, hub, screens):
    opened: list[Tab] = []

    def tab() -> Tab:
        opened.append(Tab(browser, hub, screens))
        return opened[-1]

    yield tab
    for t in opened:
        t.close()


def test_a_triage_complaint_reaches_the_agency_by_search_and_the_public_sees_it_followed_up(hub, world, tabs):
    tracking_id = world["triage"]
    officer = tabs()
    officer.sign_in("siti")
    expect(officer.page.get_by_role("heading", name="Kotak masuk KAB. PRINGSEWU")).to_be_visible()
    officer.accessible("the officer's inbox")
    expect(officer.row(tracking_id)).to_have_count(0)
    officer.page.evaluate("() => { window.notReloaded = true; }")

    admin = tabs()
    admin.sign_in("admin-nasional")
    page = admin.page
    expect(page.get_by_role("heading", name="Triase admin nasional")).to_be_visible()
    row = admin.row(tracking_id)
    expect(row).to_contain_text("Pungutan liar saat mengurus KTP")
    expect(row).to_contain_text("aturan other")  # what routing proposed, and why
    expect(row.locator("[data-days-left]")).to_have_count(1)  # the verification clock
    admin.shot("triage")
    admin.accessible("the triage queue")

    row.get_by_role("link", name=tracking_id).click()
    expect(page.get_by_role("heading", name=f"Berkas pengaduan {tracking_id}")).to_be_visible()
    expect(page.locator("[data-identity=shown]")).to_contain_text("Siti Rahmawati")  # verifying: the admin sees who
    page.get_by_role("button", name="Disposisikan ke instansi").click()
    picker = page.get_by_role("combobox", name="Instansi tujuan")
    expect(picker).to_be_focused()
    picker.press_sequentially("kabupaten pringsew", delay=30)  # the directory writes it KAB. PRINGSEWU
    expect(page.get_by_role("option").first).to_have_attribute("data-code", PRINGSEWU)
    admin.shot("disposition")
    admin.accessible("the disposition form with search results")
    picker.press("Enter")
    expect(page.locator(".picker-status")).to_contain_text("KAB. PRINGSEWU (18.10)")
    page.get_by_role("button", name="Kirim").click()
    expect(page.get_by_role("heading", name="Triase admin nasional")).to_be_visible(timeout=30_000)
    expect(admin.row(tracking_id)).to_have_count(0, timeout=30_000)  # left the queue without a reload
    _settled(hub, tracking_id, "dispositioned")

    # The officer's inbox, open all along, shows the complaint without a reload.
    page = officer.page
    expect(officer.row(tracking_id)).to_be_visible(timeout=30_000)
    assert page.evaluate("() => window.notReloaded === true")
    expect(officer.row(tracking_id)).to_contain_text("Terdisposisi")
    officer.shot("inbox")
    rows = page.locator("table.list tbody tr")
    # At least the two the matrix routed to Pringsewu besides ours (a shared broker may hold more).
    expect(rows.nth(2)).to_be_visible()
    listed = rows.count()
    search = page.get_by_label("Cari nomor, judul atau kategori")
    search.fill("pungutan")  # the hub searches by title, as the officer types
    expect(rows).not_to_have_count(listed)
    expect(officer.row(tracking_id)).to_be_visible()
    search.fill(tracking_id)  # and by tracking id
    expect(rows).to_have_count(1)
    expect(officer.row(tracking_id)).to_be_visible()
    page.get_by_label("Status", exact=True).select_option("accepted")
    expect(page.locator(".list-box .empty")).to_be_visible()
    page.get_by_label("Status", exact=True).select_option(index=0)  # everything still open
    search.fill("")
    expect(rows).to_have_count(listed)
    officer.row(tracking_id).get_by_role("link", name=tracking_id).click()
    expect(page.locator(".case .state")).to_contain_text("Terdisposisi")
    expect(page.locator("[data-identity=shown]")).to_contain_text("Siti Rahmawati")  # public report: the holder sees
    page.get_by_role("button", name="Terima", exact=True).click()
    page.get_by_role("button", name="Kirim").click()
    expect(page.locator(".case .state")).to_contain_text("Diterima", timeout=30_000)
    page.get_by_role("button", name="Catat tindak lanjut").click()
    page.get_by_label("Catatan").fill("Tim kelurahan memeriksa loket KTP bersama Inspektorat.")
    page.get_by_label("Catatan").press("Tab")
    page.keyboard.press("Enter")  # the send button, by keyboard
    expect(page.locator(".case .state")).to_contain_text("Ditindaklanjuti", timeout=30_000)
    expect(page.locator(".timeline")).to_contain_text("Ditindaklanjuti")
    expect(page.locator(".timeline li[data-type=FollowUpRecorded]")).to_contain_text("oleh siti")
    officer.shot("case")
    officer.accessible("the officer's case file")

    public = _public(hub, tracking_id)
    assert public["status"] == "in_progress" and public["agency_code"] == PRINGSEWU
    assert [e["type"] for e in public["timeline"]][-2:] == ["ComplaintAccepted", "FollowUpRecorded"]

    stranger = tabs()
    stranger.sign_in("joko")
    expect(stranger.page.get_by_role("heading", name="Kotak masuk KOTA BANDAR LAMPUNG")).to_be_visible()
    expect(stranger.row(tracking_id)).to_have_count(0)
    for code in (PRINGSEWU, BANDAR_LAMPUNG):
        stranger.page.goto(f"{hub.base_url}/console#/case/{code}/{tracking_id}")
        expect(stranger.page.get_by_role("alert").filter(has_text="tidak dapat Anda buka")).to_be_visible()
        expect(stranger.page.locator("main")).not_to_contain_text("Pungutan liar")
        expect(stranger.page.locator(".action-buttons button")).to_have_count(0)
    stranger.shot("refused")


def test_a_supervisor_sees_the_overdue_complaints_of_the_agencies_it_supervises(hub, world, tabs):
    neglected = world["neglected"]
    supervisor = tabs()
    supervisor.sign_in("inspektorat-lampung")
    page = supervisor.page
    expect(page.get_by_role("heading", name="Pengawasan: pengaduan terlambat dan tereskalasi")).to_be_visible()
    row = supervisor.row(neglected)
    expect(row).to_be_visible(timeout=120_000)  # the list refreshes itself once it is overdue
    expect(page.locator(f"[data-agency='{METRO}'] h3")).to_contain_text("KOTA METRO (18.72)")
    expect(row.locator("[data-tier]")).not_to_have_attribute("data-tier", "0", timeout=60_000)
    expect(row.locator("[data-age-days]")).to_have_count(1)
    supervisor.shot("supervision")
    supervisor.accessible("the supervision list")
    row.get_by_role("link", name=neglected).click()
    expect(page.locator("[data-identity=hidden]")).to_contain_text("tidak ditampilkan untuk peran Anda")
    expect(page.get_by_text("Tidak ada tindakan yang dapat Anda lakukan")).to_be_visible()

    outsider = tabs()
    outsider.sign_in("inspektorat-jabar")
    expect(outsider.page.locator("table.list, .empty").first).to_be_visible()
    expect(outsider.row(neglected)).to_have_count(0)


def test_the_console_speaks_english_on_request_and_remembers_it(hub, world, tabs):
    tab = tabs()
    tab.page.goto(f"{hub.base_url}/console")
    expect(tab.page.get_by_role("heading", name="Masuk ke konsol")).to_be_visible()
    assert tab.page.evaluate("() => document.documentElement.lang") == "id"
    tab.accessible("the sign-in page")
    tab.shot("sign-in")
    tab.page.get_by_role("button", name="Switch the console to English").click()
    expect(tab.page.get_by_role("heading", name="Sign in to the console")).to_be_visible()
    tab.page.get_by_label("User name").fill("admin-nasional")
    tab.page.get_by_label("Password").fill("password-admin-nasional")
    tab.page.get_by_label("Password").press("Enter")
    expect(tab.page.get_by_role("heading", name="National admin triage")).to_be_visible()
    assert tab.page.evaluate("() => document.documentElement.lang") == "en"
    expect(tab.page.locator("table.list thead")).to_contain_text("What routing proposed, and why")
    tab.page.reload()
    expect(tab.page.get_by_role("heading", name="National admin triage")).to_be_visible()  # kept, and still signed in
    tab.accessible("the triage queue in English")
    tab.shot("triage-en")
    words = tab.page.evaluate("() => import('/console/static/i18n.js').then((m) => m.keys())")
    assert sorted(words["id"]) == sorted(words["en"]) and len(words["id"]) > 150  # nothing said in one language only


def test_the_console_is_served_with_a_strict_content_security_policy(hub):
    import urllib.request

    with urllib.request.urlopen(f"{hub.base_url}/console", timeout=10) as response:
        policy = response.headers["Content-Security-Policy"]
        html = response.read().decode()
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'" and directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'" and directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["require-trusted-types-for"] == "'script'"
    assert "unsafe" not in policy
    assert "<script>" not in html and "style=" not in html and "http" not in html.replace("http-equiv", "")
    status, body = http("GET", f"{hub.base_url}/console/static/..%2Fpages.py")
    assert status == 404 and body["error"]["code"] == "not_found"


def test_the_readme_shows_the_screens_this_test_saves():
    readme = (DOCS.parent / "README.md").read_text()
    for name in README_SCREENS.values():
        assert f"](docs/{name})" in readme and (DOCS / name).stat().st_size > 20_000, name
