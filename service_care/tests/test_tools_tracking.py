# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from markupsafe import Markup

from odoo.tests import tagged
from odoo.tests.common import BaseCase

from odoo.addons.service_care.tools import tracking

BASE = "https://shop.example.com"
OURS = f"{BASE}/care/"

# Apple Mail with Privacy Protection: the proxy's fetch, and Apple Mail itself
# fetching directly (protection off), as seen in server logs.
APPLE_PROXY_UA = "Mozilla/5.0"
APPLE_MAIL_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
)
GMAIL_PROXY_UA = (
    "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 "
    "(via ggpht.com GoogleImageProxy)"
)
OUTLOOK_UA = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328)"


def fake_click(url):
    return f"{BASE}/care/c/U/T?u={url}"


@tagged("service_care")
class TestRewriteLinks(BaseCase):
    def rewrite(self, html):
        return tracking.rewrite_links(html, fake_click, skip_prefix=OURS)

    def test_http_and_https_links_are_rewritten(self):
        self.assertEqual(
            self.rewrite(
                '<p><a href="https://shop.example.com/shop/cart">Cart</a> '
                "<a class='x' href='http://blog.example.org/tips'>Tips</a></p>"
            ),
            '<p><a href="https://shop.example.com/care/c/U/T?u='
            'https://shop.example.com/shop/cart">Cart</a> '
            "<a class='x' href='https://shop.example.com/care/c/U/T?u="
            "http://blog.example.org/tips'>Tips</a></p>",
        )

    def test_entities_decoded_for_make_url_and_escaped_back(self):
        seen = []

        def make_url(url):
            seen.append(url)
            return f"{BASE}/care/c/U/T?a=1&u=x"

        result = tracking.rewrite_links(
            '<a href="https://x.example/p?a=1&amp;b=2">p</a>', make_url
        )
        self.assertEqual(seen, ["https://x.example/p?a=1&b=2"])
        self.assertEqual(result, f'<a href="{BASE}/care/c/U/T?a=1&amp;u=x">p</a>')

    def test_unquoted_and_uppercase_href(self):
        self.assertEqual(
            self.rewrite("<A HREF=https://x.example/>X</A>"),
            f'<A HREF="{BASE}/care/c/U/T?u=https://x.example/">X</A>',
        )

    def test_non_http_targets_are_left_alone(self):
        html = (
            '<a href="mailto:care@example.com">mail</a>'
            '<a href="tel:+48123456789">call</a>'
            '<a href="sms:+48123456789">sms</a>'
            '<a href="#top">top</a>'
            '<a href="/shop">relative</a>'
            '<a href="javascript:void(0)">js</a>'
            "<a name='anchor'>no href</a>"
        )
        self.assertEqual(self.rewrite(html), html)

    def test_our_own_urls_are_not_tracked_twice(self):
        html = (
            f'<a href="{BASE}/care/u/U/T">Unsubscribe</a>'
            f'<a href="{BASE}/care/c/U/T?u=https://x.example">tracked</a>'
        )
        self.assertEqual(self.rewrite(html), html)
        # Several prefixes can be given.
        self.assertEqual(
            tracking.rewrite_links(
                '<a href="https://a.example/x">a</a>',
                fake_click,
                skip_prefix=("https://b.example/", "https://a.example/"),
            ),
            '<a href="https://a.example/x">a</a>',
        )

    def test_only_the_href_of_link_tags_changes(self):
        html = (
            "<!DOCTYPE html><html><head>"
            '<link rel="stylesheet" href="https://cdn.example/a.css"/></head>'
            '<body><img src="https://cdn.example/logo.png"/>'
            '<abbr href="https://x.example">abbr</abbr>'
            '<a data-href="https://x.example/d" title="see href=https://x.example/t"'
            ' href="https://x.example/real">real</a>'
            "<p>Visit https://x.example/text</p></body></html>"
        )
        self.assertEqual(
            self.rewrite(html),
            html.replace(
                ' href="https://x.example/real"',
                f' href="{BASE}/care/c/U/T?u=https://x.example/real"',
            ),
        )

    def test_area_and_outlook_vml_buttons(self):
        html = (
            '<map><area shape="rect" href="https://x.example/a"/></map>'
            '<!--[if mso]><v:roundrect href="https://x.example/b" '
            'style="height:40px"><![endif]-->'
        )
        self.assertEqual(
            self.rewrite(html),
            f'<map><area shape="rect" href="{BASE}/care/c/U/T?u='
            'https://x.example/a"/></map>'
            f'<!--[if mso]><v:roundrect href="{BASE}/care/c/U/T?u='
            'https://x.example/b" style="height:40px"><![endif]-->',
        )

    def test_quoted_greater_than_does_not_end_the_tag(self):
        self.assertEqual(
            self.rewrite('<a title="a > b" href="https://x.example">x</a>'),
            f'<a title="a > b" href="{BASE}/care/c/U/T?u=https://x.example">x</a>',
        )

    def test_same_url_made_once(self):
        calls = []

        def make_url(url):
            calls.append(url)
            return f"{BASE}/care/c/U/T"

        tracking.rewrite_links(
            '<a href="https://x.example">1</a><a href="https://x.example">2</a>',
            make_url,
        )
        self.assertEqual(calls, ["https://x.example"])

    def test_markup_in_markup_out_and_empty(self):
        result = self.rewrite(Markup('<a href="https://x.example">x</a>'))
        self.assertIsInstance(result, Markup)
        self.assertIn(f"{BASE}/care/c/", result)
        for empty in ("", None, False):
            self.assertEqual(self.rewrite(empty), empty)


@tagged("service_care")
class TestRewriteTextLinks(BaseCase):
    def test_urls_in_text_sentence_punctuation_kept_out(self):
        self.assertEqual(
            tracking.rewrite_text_links(
                "Your cart: https://x.example/cart?id=7. Stop: "
                f"{BASE}/care/u/U/T (or https://x.example/help)",
                fake_click,
                skip_prefix=OURS,
            ),
            f"Your cart: {BASE}/care/c/U/T?u=https://x.example/cart?id=7. Stop: "
            f"{BASE}/care/u/U/T (or {BASE}/care/c/U/T?u=https://x.example/help)",
        )
        self.assertEqual(tracking.rewrite_text_links("", fake_click), "")


@tagged("service_care")
class TestPixelFooterUrls(BaseCase):
    PIXEL = (
        '<img src="https://s.example/care/o/U/T.gif" width="1" height="1" alt="" '
        'style="display:block;width:1px;height:1px;border:0;"/>'
    )

    def test_pixel_before_body_end(self):
        self.assertEqual(
            tracking.add_open_pixel(
                "<html><BODY><p>Hi</p></BODY>\n</html>",
                "https://s.example/care/o/U/T.gif",
            ),
            f"<html><BODY><p>Hi</p>{self.PIXEL}</BODY>\n</html>",
        )

    def test_pixel_appended_to_a_fragment(self):
        self.assertEqual(
            tracking.add_open_pixel("<p>Hi</p>", "https://s.example/care/o/U/T.gif"),
            f"<p>Hi</p>{self.PIXEL}",
        )
        self.assertEqual(
            tracking.add_open_pixel(None, "https://s.example/care/o/U/T.gif"),
            self.PIXEL,
        )
        self.assertIsInstance(
            tracking.add_open_pixel(Markup("<p>Hi</p>"), "https://s/p.gif"), Markup
        )

    def test_footer_escapes_text_and_url(self):
        self.assertEqual(
            tracking.add_footer(
                "<div>Body</div>",
                "You agreed to <news>",
                [
                    ("https://s.example/care/p/U/T", "Choose <what>"),
                    ("https://s.example/care/u/U/T?a=1&b=2", "Unsubscribe"),
                ],
            ),
            '<div>Body</div><p style="font-size:12px;color:#888888;">'
            "You agreed to &lt;news&gt; "
            '<a href="https://s.example/care/p/U/T" style="color:#888888;">'
            "Choose &lt;what&gt;</a> · "
            '<a href="https://s.example/care/u/U/T?a=1&amp;b=2" '
            'style="color:#888888;">Unsubscribe</a></p>',
        )

    def test_urls(self):
        self.assertEqual(
            tracking.open_url("https://s.example/", "abc", "f00"),
            "https://s.example/care/o/abc/f00.gif",
        )
        self.assertEqual(
            tracking.unsubscribe_url("https://s.example", "abc", "f00"),
            "https://s.example/care/u/abc/f00",
        )
        self.assertEqual(
            tracking.preferences_url("https://s.example", "abc", "f00"),
            "https://s.example/care/p/abc/f00",
        )
        # The target URL travels whole, query and fragment included.
        self.assertEqual(
            tracking.click_url(
                "https://s.example", "abc", "f00", "https://x.example/p?a=1&b=2#top"
            ),
            "https://s.example/care/c/abc/f00"
            "?u=https%3A%2F%2Fx.example%2Fp%3Fa%3D1%26b%3D2%23top",
        )

    def test_list_unsubscribe_headers(self):
        self.assertEqual(
            tracking.list_unsubscribe_headers("https://s.example/care/u/abc/f00"),
            {
                "List-Unsubscribe": "<https://s.example/care/u/abc/f00>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )

    def test_pixel_gif_is_a_1x1_gif(self):
        gif = tracking.PIXEL_GIF
        self.assertEqual(gif[:6], b"GIF89a")
        # Logical screen width and height, little-endian.
        self.assertEqual((gif[6:8], gif[8:10]), (b"\x01\x00", b"\x01\x00"))
        self.assertTrue(gif.endswith(b";"))


@tagged("service_care")
class TestMachineOpen(BaseCase):
    def test_apple_proxy_is_a_machine(self):
        for addr in ("17.58.101.20", "17.0.0.1", "17.255.255.254", "::ffff:17.58.1.1"):
            for agent in (APPLE_PROXY_UA, "", None):
                with self.subTest(addr=addr, agent=agent):
                    self.assertTrue(tracking.is_machine_open(addr, agent))

    def test_mail_client_on_apple_network_is_a_person(self):
        for agent in (APPLE_MAIL_UA, OUTLOOK_UA, "Mozilla/5.0 Thunderbird/115.0"):
            with self.subTest(agent=agent):
                self.assertFalse(tracking.is_machine_open("17.58.101.20", agent))

    def test_other_networks_are_people(self):
        for addr, agent in [
            ("16.255.255.255", APPLE_PROXY_UA),
            ("18.0.0.1", APPLE_PROXY_UA),
            ("66.249.84.1", GMAIL_PROXY_UA),
            ("2620:149:a44::1", APPLE_PROXY_UA),  # Apple IPv6: not recognised
            ("::ffff:18.0.0.1", APPLE_PROXY_UA),
            ("127.0.0.1", ""),
        ]:
            with self.subTest(addr=addr, agent=agent):
                self.assertFalse(tracking.is_machine_open(addr, agent))

    def test_unknown_address_is_a_person(self):
        for addr in ("", None, "not-an-ip", "17.0.0", " 17.0.0.1 junk"):
            with self.subTest(addr=addr):
                self.assertFalse(tracking.is_machine_open(addr, APPLE_PROXY_UA))
