"""The carrier page carries the job words in the reader's language, for its script to word job.progress frames."""

import html
import json
import re

from tests.conftest import TEST_PASSWORD


def test_carrier_page_has_job_words_in_the_readers_language(client, make_party):
    """In Chinese the page's job words say the status and the progress codes in Chinese, placeholders kept."""
    carrier = make_party("carrier")
    assert client.post("/api/v1/auth/login", json={"email": carrier.user.email,
                                                   "password": TEST_PASSWORD}).status_code == 200
    page = client.get("/carrier?lang=zh_CN").get_data(as_text=True)
    words = json.loads(html.unescape(re.search(r'id="route-job"[^>]*data-words="([^"]*)"', page).group(1)))
    assert words["status"]["running"] != "running" and not words["status"]["running"].isascii()
    assert words["progress"]["orders_done"] == "已处理 {done} / {total} 个订单"
    english = client.get("/carrier?lang=en").get_data(as_text=True)
    assert "found a better plan, still searching" in html.unescape(english)
