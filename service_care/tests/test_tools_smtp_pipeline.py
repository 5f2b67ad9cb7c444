# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import smtplib
import socket
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from odoo.tests import BaseCase

from ..tools import smtp_pipeline


class Recorder:
    """An aiosmtpd handler keeping what it was given; it refuses the
    recipient ``refused@example.com`` and a content saying ``REFUSE ME``,
    drops the link on one saying ``HANG UP``, and announces PIPELINING when
    asked to."""

    def __init__(self, pipelining):
        self.pipelining = pipelining
        self.received = []

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.pipelining:
            return [responses[0], "250-PIPELINING", *responses[1:]]
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == "refused@example.com":
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if b"HANG UP" in envelope.original_content:
            server.transport.close()
            return "250 never seen"
        if b"REFUSE ME" in envelope.original_content:
            return "554 Content refused"
        self.received.append(
            (envelope.mail_from, envelope.rcpt_tos, envelope.original_content)
        )
        return "250 OK"


class TestToolsSmtpPipeline(BaseCase):
    def _server(self, pipelining=True):
        recorder = Recorder(pipelining)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(
            recorder, hostname="127.0.0.1", port=port, enable_SMTPUTF8=True
        )
        controller.start()
        self.addCleanup(controller.stop)
        session = smtplib.SMTP("127.0.0.1", port, timeout=10)
        self.addCleanup(session.close)
        writes = []
        send = session.send
        session.send = lambda data: (writes.append(data), send(data))[1]
        return recorder, session, writes

    def _send_all(self, sender, messages):
        outcomes = []
        for key, recipients, message in messages:
            outcomes += sender.send(key, "shop@example.com", recipients, message)
        outcomes += sender.finish()
        return outcomes

    def _raw(self, text):
        return (
            f"Subject: {text}\r\nTo: someone@example.com\r\n\r\n{text}\r\n"
            ".a line starting with a dot\r\n"
        ).encode()

    def test_pipelined_messages_arrive_whole_with_one_write_each(self):
        recorder, session, writes = self._server()
        journal = []
        sender = smtp_pipeline.Sender(
            session, lambda key, settled: journal.append((key, settled))
        )
        self.assertTrue(sender.pipelining)
        writes.clear()  # the EHLO
        built = EmailMessage()
        built["Subject"] = "Built by Python"
        built["Bcc"] = "hidden@example.com"
        built.set_content("Hello from an EmailMessage")
        messages = [
            (1, ["a@example.com"], self._raw("first")),
            (2, ["b@example.com", "c@example.com"], self._raw("second")),
            (3, ["d@example.com"], built),
        ]
        outcomes = self._send_all(sender, messages)
        self.assertEqual(outcomes, [(1, None), (2, None), (3, None)])
        self.assertEqual(
            [(mail_from, rcpts) for mail_from, rcpts, _data in recorder.received],
            [
                ("shop@example.com", ["a@example.com"]),
                ("shop@example.com", ["b@example.com", "c@example.com"]),
                ("shop@example.com", ["d@example.com"]),
            ],
        )
        self.assertEqual(recorder.received[0][2], self._raw("first"))
        self.assertIn(b"Hello from an EmailMessage", recorder.received[2][2])
        self.assertNotIn(b"hidden@example.com", recorder.received[2][2])
        # One write per message and one to end: the content of each goes
        # with the envelope of the next.
        self.assertEqual(len(writes), len(messages) + 1)
        # The journal hears of each content before it goes, and of the
        # message the server took meanwhile.
        self.assertEqual(
            journal,
            [(1, []), (2, [(1, None)]), (3, [(2, None)])],
            "one message behind",
        )

    def test_a_refused_message_fails_alone_and_the_next_ones_go(self):
        recorder, session, _writes = self._server()
        sender = smtp_pipeline.Sender(session, lambda key, settled: None)
        outcomes = dict(
            self._send_all(
                sender,
                [
                    (1, ["refused@example.com"], self._raw("nobody")),
                    (2, ["a@example.com"], self._raw("REFUSE ME")),
                    (3, ["a@example.com", "refused@example.com"], self._raw("one")),
                    (4, ["b@example.com"], self._raw("last")),
                ],
            )
        )
        self.assertIsInstance(outcomes[1], smtplib.SMTPRecipientsRefused)
        self.assertEqual(
            outcomes[1].recipients,
            {"refused@example.com": (550, b"No such user here")},
        )
        self.assertIsInstance(outcomes[2], smtplib.SMTPDataError)
        self.assertEqual(outcomes[2].smtp_code, 554)
        # As smtplib.sendmail: a message some recipients take is sent.
        self.assertIsNone(outcomes[3])
        self.assertIsNone(outcomes[4])
        self.assertEqual(
            [rcpts for _from, rcpts, _data in recorder.received],
            [["a@example.com"], ["b@example.com"]],
        )

    def test_without_pipelining_the_same_outcomes_one_at_a_time(self):
        recorder, session, writes = self._server(pipelining=False)
        journal = []
        sender = smtp_pipeline.Sender(session, lambda key, settled: journal.append(key))
        self.assertFalse(sender.pipelining)
        outcomes = dict(
            self._send_all(
                sender,
                [
                    (1, ["a@example.com"], self._raw("first")),
                    (2, ["refused@example.com"], self._raw("nobody")),
                    (3, ["b@example.com"], self._raw("third")),
                ],
            )
        )
        self.assertIsNone(outcomes[1])
        self.assertIsInstance(outcomes[2], smtplib.SMTPRecipientsRefused)
        self.assertIsNone(outcomes[3])
        self.assertEqual(journal, [1, 2, 3])
        self.assertEqual(len(recorder.received), 2)
        self.assertEqual(recorder.received[1][2], self._raw("third"))
        self.assertGreater(len(writes), 3 * 3, "a command per write")

    def test_an_address_that_needs_smtputf8_goes_through_smtplib(self):
        recorder, session, _writes = self._server()
        journal = []
        sender = smtp_pipeline.Sender(
            session, lambda key, settled: journal.append((key, settled))
        )
        message = EmailMessage()
        message["Subject"] = "Привет"
        message["To"] = "анна@пример.рф"
        message.set_content("Здравствуйте")
        outcomes = self._send_all(
            sender,
            [
                (1, ["a@example.com"], self._raw("first")),
                (2, ["анна@пример.рф"], message),
                (3, ["b@example.com"], self._raw("third")),
            ],
        )
        self.assertEqual(outcomes, [(1, None), (2, None), (3, None)])
        self.assertEqual(
            [rcpts for _from, rcpts, _data in recorder.received],
            [["a@example.com"], ["анна@пример.рф"], ["b@example.com"]],
        )
        # The journal still hears that the server took the one before.
        self.assertEqual(journal[1], (2, [(1, None)]))

    def test_a_dropped_link_leaves_the_messages_in_flight_unsettled(self):
        _recorder, session, _writes = self._server()
        sender = smtp_pipeline.Sender(session, lambda key, settled: None)
        settled = sender.send(1, "shop@example.com", ["a@e.com"], self._raw("one"))
        settled += sender.send(2, "shop@example.com", ["a@e.com"], self._raw("HANG UP"))
        settled += sender.send(3, "shop@example.com", ["a@e.com"], self._raw("three"))
        with self.assertRaises(smtplib.SMTPServerDisconnected):
            sender.send(4, "shop@example.com", ["a@e.com"], self._raw("four"))
        self.assertEqual(settled, [(1, None)])
        self.assertEqual(sorted(sender.unsettled), [2, 3])

    def test_content_is_dot_stuffed_and_ended(self):
        self.assertEqual(
            smtp_pipeline.content(b"a\r\n.b\r\n..c"), b"a\r\n..b\r\n...c\r\n.\r\n"
        )
