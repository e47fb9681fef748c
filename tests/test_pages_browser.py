"""The pages in a real browser: Debian's chromium, driven by Playwright, against the real server.

One server (a subprocess, as deployed) and one browser serve the whole module; each test signs in
in its own browser context and uses its own room, so tests do not see each other's questions.
The pages are the same on either database, so this runs on SQLite; the API tests cover PostgreSQL.

Set ``LIVEASSIST_SCREENSHOTS=docs/screenshots`` to refresh the screenshots in the docs.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from tests.conftest import EXAMPLE_CATALOG

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("no /usr/bin/chromium: apt-get update && apt-get install -y chromium", allow_module_level=True)

from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright  # noqa: E402

pytestmark = pytest.mark.slow

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[1]
DONE = re.compile(r"\bdone\b")


@dataclass
class Site:
    base: str
    tokens: dict[str, str]

    def call(self, role: str, method: str, path: str, **kwargs: object) -> httpx.Response:
        response = httpx.request(method, self.base + path, headers={"Authorization": f"Bearer {self.tokens[role]}"},
                                 timeout=10, **kwargs)  # type: ignore[arg-type]
        response.raise_for_status()
        return response

    def on_air(self, room: str, link_no: int) -> None:
        self.call("host", "PUT", f"/v1/rooms/{room}/on-air", json={"link_no": link_no})

    def danmaku(self, room: str, *texts: str, first_user: int = 1) -> None:
        messages = [{"user_id": f"douyin:{7700 + first_user + i}", "nickname": f"观众{first_user + i}", "text": text}
                    for i, text in enumerate(texts)]
        self.call("ingest", "POST", f"/v1/rooms/{room}/danmaku", json=messages)

    def outbox(self, room: str) -> list[dict]:
        return self.call("ingest", "GET", f"/v1/rooms/{room}/outbox").json()["messages"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(env: dict[str, str], *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data = tmp_path_factory.mktemp("pages")
    env = {"LIVEASSIST_DATABASE_URL": f"sqlite:///{data / 'pages.db'}", "LIVEASSIST_DATA_DIR": str(data),
           "PATH": "/usr/bin:/bin"}
    _cli(env, "catalog", "import", str(EXAMPLE_CATALOG))
    tokens = {role: _cli(env, "tokens", "create", role) for role in ("host", "cs", "admin", "ingest")}
    port = _free_port()
    log = (data / "server.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)], env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None:
                pytest.fail("the server stopped:\n" + (data / "server.log").read_text())
            time.sleep(0.1)
        yield Site(base, tokens)
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _new_context(browser: Browser) -> BrowserContext:
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN", timezone_id="Asia/Shanghai")
    ctx.set_default_timeout(10_000)
    return ctx


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = _new_context(browser)
    yield ctx
    ctx.close()


@pytest.fixture
def signed_in(site: Site, browser: Browser) -> Iterator[Callable[[str, str], Page]]:
    """Sign in as ``role`` through the sign-in page (in a browser of its own) and land on ``path``."""
    contexts: list[BrowserContext] = []

    def sign_in(role: str, path: str) -> Page:
        contexts.append(_new_context(browser))
        page = contexts[-1].new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(site.base + path)
        expect(page).to_have_url(f"{site.base}/login?next={quote(path, safe='')}")
        page.fill("#token", site.tokens[role])
        page.click("#submit")
        page.wait_for_url(site.base + path)
        page.js_errors = errors  # type: ignore[attr-defined]
        return page

    yield sign_in
    for ctx in contexts:
        ctx.close()


def card(page: Page, text: str):
    return page.locator("#queue li.card", has_text=text)


def wait_for(condition: Callable[[], object], seconds: float = 5.0) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"condition not met within {seconds:.1f} s")


# --- signing in ----------------------------------------------------------------------------------------

def test_a_host_signs_in_with_a_token_and_lands_on_the_teleprompter(site, signed_in):
    site.on_air("signin", 3)
    page = signed_in("host", "/host/signin")
    expect(page.locator("#title")).to_have_text("加绒连帽卫衣")
    cookie = next(c for c in page.context.cookies() if c["name"] == "liveassist_token")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert "liveassist_token" not in page.evaluate("document.cookie")  # scripts cannot read it
    page.request.post(site.base + "/v1/session/logout")
    page.goto(site.base + "/host/signin")
    expect(page).to_have_url(f"{site.base}/login?next=%2Fhost%2Fsignin")


def test_a_wrong_token_shows_a_clear_error_and_stays_on_the_sign_in_page(site, context):
    page = context.new_page()
    page.goto(site.base + "/login?next=/host/live1")
    page.fill("#token", "la_host_not-a-real-token")
    page.click("#submit")
    expect(page.locator("#error")).to_be_visible()
    expect(page.locator("#error")).to_contain_text("令牌无效")
    assert page.url.startswith(site.base + "/login")
    assert not context.cookies()


@pytest.mark.parametrize("next_path", ["https://evil.example/x", "//evil.example/x", "/\\evil.example",
                                       "javascript:alert(1)"])
def test_signing_in_never_sends_the_browser_to_another_site(site, context, next_path):
    page = context.new_page()
    page.goto(site.base + "/login?next=" + quote(next_path, safe=""))
    page.fill("#token", site.tokens["cs"])
    page.click("#submit")
    page.wait_for_url(site.base + "/review")


def test_a_customer_service_token_cannot_open_the_teleprompter(site, signed_in):
    page = signed_in("cs", "/review")
    response = page.goto(site.base + "/host/live1")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("无权打开此页")
    expect(page.locator("#switch")).to_have_attribute("href", "/login?next=%2Fhost%2Flive1")
    board = httpx.get(site.base + "/v1/rooms/live1/board", cookies={"liveassist_token": site.tokens["cs"]})
    assert board.status_code == 403


# --- the teleprompter -----------------------------------------------------------------------------------

def test_the_teleprompter_shows_the_product_on_air_with_stock_by_colour_and_size(site, signed_in):
    site.on_air("stockgrid", 3)
    page = signed_in("host", "/host/stockgrid")
    expect(page.locator("#link-no")).to_have_text("3号链接")
    expect(page.locator("#price")).to_have_text("¥129")
    expect(page.locator(".grid thead th")).to_have_text(["", "M", "L", "XL", "XXL"])
    expect(page.locator(".grid tbody th")).to_have_text(["黑色", "灰色"])
    expect(page.locator('[data-sku="HOODIE-01-BLK-M"] .num')).to_have_text("200")
    sold_out = page.locator('[data-sku="HOODIE-01-BLK-XXL"]')
    expect(sold_out.locator(".num")).to_have_text("售罄")
    expect(sold_out).to_have_class(re.compile(r"\bsold_out\b"))
    expect(sold_out.locator(".sub")).to_have_text("12/1 补货")
    expect(page.locator("#live-badge")).to_be_visible()
    assert page.js_errors == []


def test_a_product_with_one_option_shows_its_stock_as_a_list(site, signed_in):
    site.on_air("lipstick", 7)
    page = signed_in("host", "/host/lipstick")
    expect(page.locator("#title")).to_have_text("丝绒哑光口红")
    expect(page.locator(".tiles .label")).to_have_text(["01 正红", "03 豆沙", "05 枫叶棕"])
    expect(page.locator('[data-sku="LIP-12-01"]')).to_have_class(re.compile(r"\blow\b"))
    expect(page.locator('[data-sku="LIP-12-03"] .num')).to_have_text("210")


def test_a_question_sent_to_the_room_appears_within_seconds_as_text(site, signed_in):
    site.on_air("asking", 3)
    page = signed_in("host", "/host/asking")
    expect(page.locator("#queue-empty")).to_be_visible()
    hostile = '灰色L还有吗<img src=x onerror="window.__pwned=1">'
    site.danmaku("asking", "黑色xl有货不", "黑色XL还有吗？？", hostile)
    question = card(page, "黑色xl有货不")
    expect(question.locator(".count .n")).to_have_text("2", timeout=5_000)
    expect(question.locator(".reply-text")).to_contain_text("23")
    expect(page.locator("#queue .question", has_text="onerror")).to_have_text(hostile, timeout=5_000)
    assert page.locator("#queue img").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_a_stock_change_shows_on_the_page_within_two_seconds(site, signed_in):
    site.on_air("stockmove", 3)
    page = signed_in("host", "/host/stockmove")
    cell = page.locator('[data-sku="HOODIE-01-BLK-XL"]')
    expect(cell).to_have_attribute("data-total", "23")
    site.call("admin", "PUT", "/v1/stock/HOODIE-01-BLK-XL/GZ", json={"qty": 7})
    expect(cell.locator(".num")).to_have_text("7", timeout=2_000)
    site.call("admin", "PUT", "/v1/stock/HOODIE-01-BLK-XL/GZ", json={"qty": 23})
    expect(cell.locator(".num")).to_have_text("23", timeout=2_000)


def _two_questions(site: Site, signed_in, room: str) -> tuple[Page, str, str]:
    """A room with two groups: black XL (asked twice, so on top) and grey L (asked once)."""
    site.on_air(room, 3)
    page = signed_in("host", f"/host/{room}")
    site.danmaku(room, "黑色XL还有吗", "黑色xl有货不", "灰色L还有吗")
    expect(card(page, "黑色XL还有吗").locator(".count .n")).to_have_text("2")
    expect(card(page, "灰色L还有吗")).to_be_visible()
    black = card(page, "黑色XL还有吗").get_attribute("data-group")
    grey = card(page, "灰色L还有吗").get_attribute("data-group")
    expect(page.locator("#queue li.card").first).to_have_attribute("data-group", black)
    return page, black, grey


def test_accepting_with_a_click_posts_to_the_outbox_and_the_item_leaves_the_top(site, signed_in):
    page, black, grey = _two_questions(site, signed_in, "clicks")
    card(page, "黑色XL还有吗").locator("button.accept").click()
    posts = wait_for(lambda: site.outbox("clicks"))
    assert [p["group_id"] for p in posts] == [black] and "23" in posts[0]["text"]
    expect(page.locator(f'li[data-group="{black}"]')).to_have_class(DONE)
    expect(page.locator("#queue li.card").first).to_have_attribute("data-group", grey)


def test_accepting_with_the_keyboard_posts_the_selected_item(site, signed_in):
    page, black, grey = _two_questions(site, signed_in, "keys")
    page.keyboard.press("j")
    expect(page.locator("li.card.selected")).to_have_attribute("data-group", grey)
    page.keyboard.press("Enter")
    posts = wait_for(lambda: site.outbox("keys"))
    assert [p["group_id"] for p in posts] == [grey]
    expect(page.locator(f'li[data-group="{grey}"]')).to_have_class(DONE)
    expect(page.locator("li.card.selected")).to_have_attribute("data-group", black)
    expect(page.locator("#queue li.card").first).to_have_attribute("data-group", black)


def test_editing_then_posting_and_dismissing_with_the_keyboard(site, signed_in):
    page, black, grey = _two_questions(site, signed_in, "edits")
    page.keyboard.press("e")
    editor = page.locator(f'li[data-group="{black}"] textarea')
    expect(editor).to_be_focused()
    editor.fill("黑色XL还有23件，直接拍")
    editor.press("Enter")
    posts = wait_for(lambda: site.outbox("edits"))
    assert posts[0]["group_id"] == black and posts[0]["text"].endswith("黑色XL还有23件，直接拍")
    expect(page.locator(f'li[data-group="{black}"]')).to_have_attribute("data-status", "edited")
    expect(page.locator("li.card.selected")).to_have_attribute("data-group", grey)
    page.keyboard.press("d")
    expect(page.locator(f'li[data-group="{grey}"]')).to_have_attribute("data-status", "dismissed")
    assert len(site.outbox("edits")) == 1


def test_the_host_switches_the_product_on_air_by_link_number(site, signed_in):
    site.on_air("switch", 3)
    page = signed_in("host", "/host/switch")
    expect(page.locator("#title")).to_have_text("加绒连帽卫衣")
    page.keyboard.press("o")
    expect(page.locator("#link-input")).to_be_focused()
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    expect(page.locator("#title")).to_have_text("轻薄羽绒服（预售）")
    expect(page.locator("#presale")).to_have_text("预售 · 12月5日发货")
    assert site.call("host", "GET", "/v1/rooms/switch").json()["on_air"] == "DOWN-07"
    page.fill("#link-input", "99")
    page.click("#on-air-form button")
    expect(page.locator("#toast")).to_contain_text("99")


# --- the review page ------------------------------------------------------------------------------------

def test_review_lists_opens_an_exchange_with_its_tool_calls_and_saves_a_correction(site, signed_in):
    site.on_air("reviewed", 3)
    asked = site.call("ingest", "POST", "/v1/rooms/reviewed/messages",
                      json={"user_id": "douyin:99887766", "text": "黑色XL还有吗", "nickname": "小美"}).json()
    assert asked["action"] == "answer"
    page = signed_in("cs", "/review?room=reviewed")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("黑色XL还有吗")
    expect(rows.first).to_contain_text("douyin:99***66")  # masked for customer service
    rows.first.click()
    detail = page.locator("#detail")
    expect(detail.locator(".message")).to_have_text("黑色XL还有吗")
    expect(detail.locator(".tool .name")).to_have_text(["find_product", "check_stock"])
    stock_call = detail.locator(".tool", has_text="check_stock")
    expect(stock_call.locator("pre").first).to_be_hidden()
    stock_call.locator("summary").click()
    expect(stock_call.locator("pre").nth(1)).to_contain_text('"HOODIE-01-BLK-XL"')
    form = detail.locator("form.correct")
    form.locator("select[name=right_action]").select_option("answer")
    form.locator("textarea[name=right_reply]").fill("黑色XL有货，广州仓发出")
    form.locator("textarea[name=note]").fill("should say which warehouse")
    form.locator("button[type=submit]").click()
    expect(detail.locator(".form-status")).to_contain_text("已保存")
    expect(detail.locator("li.correction")).to_contain_text("黑色XL有货，广州仓发出")
    page.select_option("select[name=corrected]", "true")
    page.click("#filters button[type=submit]")
    expect(rows).to_have_count(1)
    cases = site.call("cs", "GET", "/v1/corrections/eval-cases", params={"format": "json"}).json()
    assert any(c["text"] == "黑色XL还有吗" for c in cases["cases"])
    assert "format=csv" in page.locator("#export-csv").get_attribute("href")


def test_a_host_token_cannot_open_the_review_page(site, signed_in):
    site.on_air("hostonly", 3)
    page = signed_in("host", "/host/hostonly")
    response = page.goto(site.base + "/review")
    assert response is not None and response.status == 403


# --- what it looks like -------------------------------------------------------------------------------------

def test_screenshots_of_a_busy_teleprompter_and_the_review_page(site, signed_in, tmp_path):
    out = Path(os.environ.get("LIVEASSIST_SCREENSHOTS") or tmp_path)
    out = out if out.is_absolute() else ROOT / out
    out.mkdir(parents=True, exist_ok=True)
    room = "showcase"
    site.on_air(room, 3)
    site.call("admin", "PUT", "/v1/stock/HOODIE-01-BLK-L/HZ", json={"qty": 4})  # low stock
    page = signed_in("host", f"/host/{room}")
    site.danmaku(room, "黑色XL还有吗", "黑色xl有货不", "黑色XL还有吗？？", "黑色XL还有么",
                 "黑色XXL有吗", "黑色XXL还有吗", "能便宜点吗", "能便宜点吗", "能便宜点吗",
                 "发到成都几天", "170 60kg穿什么码", "666")
    expect(page.locator("#queue li.card.escalation")).to_have_count(1)
    expect(card(page, "黑色XL还有吗").locator(".count .n")).to_have_text("4")
    expect(page.locator(".alert.sold")).to_contain_text("黑色 XXL")
    expect(page.locator(".alert.low")).to_contain_text("黑色 L")
    expect(page.locator("#queue li.card")).to_have_count(5)
    page.wait_for_timeout(500)
    page.screenshot(path=str(out / "teleprompter.png"))
    site.call("admin", "PUT", "/v1/stock/HOODIE-01-BLK-L/HZ", json={"qty": 8})

    review = signed_in("cs", f"/review?room={room}")
    expect(review.locator("#results tbody tr")).to_have_count(12)
    review.locator("#results tbody tr", has_text="黑色XXL有吗").click()
    stock_call = review.locator("#detail .tool", has_text="check_stock")
    stock_call.locator("summary").click()
    expect(stock_call.locator("pre").nth(1)).to_be_visible()
    review.set_viewport_size({"width": 1600, "height": 1000})
    review.screenshot(path=str(out / "review.png"))
    assert (out / "teleprompter.png").stat().st_size > 10_000
