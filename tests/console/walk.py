"""Walks the registry console in Debian's chromium (selenium, headless) as a person would: signs
in with a read token, searches with the keyboard, opens a subject, a version and a comparison,
folds the schema, validates a bad payload, checks a refused candidate, tries to register with the
read token, switches the theme, looks at the list at phone width, then signs in as admin to filter
the audit log, see who registered each version, give the subject a rule set, and create and revoke
a token. Each step
reads what the page shows and saves a screenshot.

    python walk.py BASE READ_TOKEN ADMIN_TOKEN SCREENSHOT_DIR
"""

import json
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

base, read_token, admin_token, shots = sys.argv[1:5]
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
    options.add_argument(arg)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.implicitly_wait(5)


def wait_for(cond, what):
    """Waits for the next page to show `cond` (a click or an Enter starts a navigation that the
    old page's elements do not survive)."""
    try:
        WebDriverWait(driver, 10).until(lambda d: cond(d))
    except Exception:
        check(False, "waiting for " + what)


def shot(name):
    path = os.path.join(shots, name + ".png")
    driver.save_screenshot(path)


def text():
    return driver.find_element(By.TAG_NAME, "body").text


def sign_in(token):
    driver.get(base + "/ui")
    check(driver.current_url.endswith("/ui/login"), "signed out, the console sends to the sign-in")
    field = driver.find_element(By.ID, "token")
    field.send_keys(token)
    field.submit()
    wait_for(lambda d: not d.current_url.endswith("/ui/login"), "the page after signing in")


try:
    sign_in(read_token)
    check(driver.current_url.rstrip("/").endswith("/ui"), "signed in, the subject list")
    rows = driver.find_elements(By.CSS_SELECTOR, "#subjects tbody tr")
    names = [r.find_element(By.TAG_NAME, "a").text for r in rows]
    for want in ("ads.AdClick", "widgets.WidgetCreated", "recommendations.ExposureEvent"):
        check(want in names, f"the list shows {want}")
    check("2.1.0" in text(), "the list shows the latest schema_version")
    shot("01-subjects")

    # "/" focuses the search field from anywhere on the page.
    driver.find_element(By.TAG_NAME, "body").send_keys("/")
    active = driver.switch_to.active_element
    check(active.get_attribute("id") == "q", "/ focuses the search")
    active.send_keys("widget", Keys.ENTER)
    wait_for(lambda d: "q=widget" in d.current_url, "the search's page")
    names = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "#subjects tbody a")]
    check(names == ["widgets.WidgetCreated"], f"searching 'widget' finds one subject: {names}")

    driver.find_element(By.LINK_TEXT, "widgets.WidgetCreated").click()
    wait_for(lambda d: "/ui/subjects/widgets.WidgetCreated" in d.current_url, "the subject's page")
    versions = driver.find_elements(By.CSS_SELECTOR, "#versions tbody tr")
    check(len(versions) == 3, f"the subject shows 3 versions ({len(versions)})")
    check("NONE" in text(), "the subject shows its level")
    shot("02-subject")

    driver.find_element(By.LINK_TEXT, "v2").click()
    wait_for(lambda d: d.current_url.endswith("/versions/2"), "the version's page")
    lines = driver.find_elements(By.CSS_SELECTOR, "#schema li")
    check(len(lines) > 10, "the version shows its schema with numbered lines")
    check("2.0.0" in text(), "the version shows its schema_version")
    shot("03-version")
    visible = lambda: len([li for li in lines if li.is_displayed()])
    whole = visible()
    props = driver.find_element(By.XPATH, "//ol[@id='schema']/li[contains(., '\"properties\": {')]")
    props.find_element(By.CSS_SELECTOR, ".fold").click()
    folded = visible()
    check(folded < whole, f"folding 'properties' hides its lines ({whole} -> {folded})")
    driver.find_element(By.XPATH, "//button[@data-fold-all='schema' and @data-shut='1']").click()
    check(visible() < folded, f"folding all shows the top level only ({visible()} lines)")
    driver.find_element(By.XPATH, "//button[@data-fold-all='schema' and @data-shut='0']").click()
    check(visible() == whole, "unfolding all shows every line again")

    driver.back()
    wait_for(lambda d: d.current_url.endswith("/ui/subjects/widgets.WidgetCreated"), "the subject's page again")
    driver.find_element(By.PARTIAL_LINK_TEXT, "compare with v1").click()
    wait_for(lambda d: "/compare" in d.current_url, "the comparison")
    kinds = [k.text for k in driver.find_elements(By.CSS_SELECTOR, "code.kind")]
    check("enum-value-removed" in kinds, f"the comparison lists enum-value-removed: {kinds}")
    check("breaking" in driver.find_element(By.ID, "verdict").text, "the comparison says it breaks")
    driver.find_element(By.CSS_SELECTOR, "details.witness summary").click()
    witness = driver.find_element(By.CSS_SELECTOR, "details.witness pre").text
    check(json.loads(witness).get("color") == "blue", f"the witness event carries the removed value: {witness}")
    marked = driver.find_elements(By.CSS_SELECTOR, "#new li.hit")
    check(len(marked) >= 1, "the change is marked on the new schema's lines")
    check("+" in driver.find_element(By.CSS_SELECTOR, "pre.diff").text, "the text diff is beside it")
    shareable = driver.current_url
    check("from=1" in shareable and "to=2" in shareable, "the comparison has a link to share")
    shot("04-compare")

    driver.get(base + "/ui/subjects/widgets.WidgetCreated/validate")
    area = driver.find_element(By.ID, "payload")
    area.send_keys('{"schema_version": "2.0.0", "color": "blue", "name": ""}')
    driver.find_element(By.XPATH, "//button[contains(., 'Validate')]").click()
    errors = driver.find_element(By.ID, "errors").text
    check("/color" in errors, f"the bad payload's error is at /color: {errors}")
    check("/name" in errors, "and at /name")
    check("version 2" in driver.find_element(By.ID, "verdict").text, "judged by the version its schema_version names")
    shot("05-validate")

    driver.get(base + "/ui/subjects/ads.AdClick/check")
    candidate = json.load(open(os.path.join(os.path.dirname(__file__), "../../schemas/ads/AdClick.json")))
    candidate["properties"]["landing_url"]["maxLength"] = 100
    # Loaded from a file, as a reviewer would from their checkout.
    upload = os.path.join(shots, "candidate-AdClick.json")
    with open(upload, "w") as f:
        json.dump(candidate, f, indent=2)
    driver.find_element(By.ID, "schema-file").send_keys(upload)
    wait_for(lambda d: "maxLength" in d.find_element(By.ID, "schema").get_attribute("value"), "the file read into the text box")
    check('"maxLength": 100' in driver.find_element(By.ID, "schema").get_attribute("value"), "a candidate file is loaded into the form")
    driver.find_element(By.XPATH, "//button[contains(., 'Check')]").click()
    verdict = driver.find_element(By.ID, "verdict").text
    check("Refused" in verdict and "max-length-decreased" in verdict, f"a narrowing candidate is refused: {verdict}")
    check("line " in verdict, "located on the candidate's lines")
    shot("06-check-refused")

    driver.find_element(By.XPATH, "//button[contains(., 'Register')]").click()
    wait_for(lambda d: "/register" in d.current_url, "the register answer")
    check("this needs write" in text(), "registering with a read token is refused")
    shot("07-register-refused")

    driver.get(base + "/ui/audit")
    check("this needs admin" in text(), "the audit log needs admin")

    driver.get(base + "/ui")
    before = driver.find_element(By.TAG_NAME, "html").get_attribute("data-theme")
    driver.find_element(By.ID, "theme").click()
    after = driver.find_element(By.TAG_NAME, "html").get_attribute("data-theme")
    check(after != before and after in ("dark", "light"), f"the theme switches ({before} -> {after})")
    shot("08-subjects-" + after)
    driver.set_window_size(390, 844)
    width = driver.execute_script("return document.documentElement.scrollWidth")
    check(width <= 400, f"the list fits a phone's width ({width}px)")
    shot("09-subjects-phone")
    driver.set_window_size(1280, 900)

    driver.find_element(By.XPATH, "//button[contains(., 'Sign out')]").click()
    wait_for(lambda d: d.current_url.endswith("/ui/login"), "the sign-in after signing out")
    sign_in(admin_token)
    driver.get(base + "/ui/audit?subject=widgets.WidgetCreated")
    rows = driver.find_elements(By.CSS_SELECTOR, "#audit tbody tr")
    check(len(rows) >= 3, f"the audit log lists the widget's changes ({len(rows)})")
    field = driver.find_element(By.CSS_SELECTOR, "#filter input[name=action]")
    field.send_keys("config.set", Keys.ENTER)
    wait_for(lambda d: "action=config.set" in d.current_url, "the audit log filtered by action")
    actions = {r.find_elements(By.TAG_NAME, "td")[2].text for r in driver.find_elements(By.CSS_SELECTOR, "#audit tbody tr")}
    check(actions == {"config.set"}, f"filtered by action, only config.set is listed: {actions}")
    shot("10-audit")

    # Who registered each version; the level and a rule set edited by the admin.
    driver.get(base + "/ui/subjects/widgets.WidgetCreated")
    who = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "#versions td.registered")]
    check(len(who) == 3 and all("console-admin" in w for w in who), f"each version says who registered it: {who}")
    driver.find_element(By.CSS_SELECTOR, "#level-editor summary").click()
    rule = {"domainRules": [{"name": "namedWidget", "kind": "CONDITION", "mode": "WRITE", "type": "CEL",
                             "expr": "size(message.name) > 0"}]}
    driver.find_element(By.ID, "default_rule_set").send_keys(json.dumps(rule))
    driver.find_element(By.XPATH, "//details[@id='level-editor']//button[contains(., 'Save')]").click()
    wait_for(lambda d: "subject rule sets" in text(), "the subject with its rule set saved")
    check("subject rule sets" in text(), "the subject now has a rule set of its own")
    shot("11-subject-settings")

    # Tokens: create one (its secret shown once), then revoke it (after a confirmation).
    driver.find_element(By.LINK_TEXT, "Tokens").click()
    wait_for(lambda d: d.current_url.endswith("/ui/tokens"), "the tokens page")
    names = [r.find_elements(By.TAG_NAME, "td")[1].text for r in driver.find_elements(By.CSS_SELECTOR, "#tokens tbody tr")]
    check({"console-read", "console-write", "console-admin"} <= set(names), f"the tokens are listed: {names}")
    driver.find_element(By.CSS_SELECTOR, "#create input[name=name]").send_keys("walk-dashboard")
    driver.find_element(By.CSS_SELECTOR, "#create input[name=scope]").send_keys("widgets.*")
    driver.find_element(By.XPATH, "//form[@id='create']//button").click()
    wait_for(lambda d: d.find_elements(By.ID, "new-token"), "the new token's secret")
    secret = driver.find_element(By.ID, "new-token").text
    check(secret.startswith("sg_"), "the new token's secret is shown once")
    shot("12-token-created")
    row = driver.find_element(By.XPATH, "//table[@id='tokens']//tr[td[2][.='walk-dashboard']]")
    row.find_element(By.XPATH, ".//button[contains(., 'Revoke')]").click()
    WebDriverWait(driver, 5).until(lambda d: d.switch_to.alert)
    driver.switch_to.alert.accept()
    wait_for(lambda d: "revoked=" in d.current_url, "the tokens page after revoking")
    check("Revoked token" in driver.find_element(By.ID, "verdict").text, "the token is revoked")
    row = driver.find_element(By.XPATH, "//table[@id='tokens']//tr[td[2][.='walk-dashboard']]")
    check("deleted" in (row.get_attribute("class") or "") and "revoked" in row.text, "and struck through in the list")
finally:
    driver.quit()

print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
