# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Many messages over one open ``smtplib`` session, pipelined (RFC 2920).

``smtplib`` waits for the reply to every command: four round trips per
message (MAIL, RCPT, DATA, the content), and neither side works while the
other answers. A server that announces PIPELINING lets the client send the
content of one message together with the envelope of the next and read their
replies together: one wait per message, and the server takes a message in
while the client prepares the next one. Without PIPELINING, or for an
envelope that needs SMTPUTF8, messages go through ``smtplib`` as before.

A message's outcome is known one or two messages later: ``send`` and
``finish`` return the outcomes known by then, as ``(key, error)`` pairs
(``error`` is None or the ``smtplib`` exception ``sendmail`` would raise).
"""

import copy
import io
import re
import smtplib
from email.generator import BytesGenerator

CRLF = b"\r\n"
_LEADING_DOT = re.compile(rb"(?m)^\.")


def flatten(message):
    """The bytes ``smtplib.send_message`` sends for an ``EmailMessage``
    whose envelope is ASCII (without Bcc, CRLF line ends)."""
    message = copy.copy(message)
    del message["Bcc"]
    del message["Resent-Bcc"]
    with io.BytesIO() as out:
        BytesGenerator(out).flatten(message, linesep="\r\n")
        return out.getvalue()


def content(data):
    """The DATA content of a message as it goes on the wire: lines starting
    with a dot doubled, then the final dot."""
    data = _LEADING_DOT.sub(b"..", data)
    if not data.endswith(CRLF):
        data += CRLF
    return data + b"." + CRLF


class Lockstep:
    """One message at a time, through ``hand_over(sender, recipients,
    message)``, which raises on failure.

    :param on_content: called as ``on_content(key, settled)`` just before a
        message's content is sent, with the outcomes read meanwhile (a
        journal records there what is in flight)
    """

    pipelining = False

    def __init__(self, hand_over, on_content):
        self.hand_over = hand_over
        self.on_content = on_content
        self._handing = None  # the key of a message whose hand-over broke off

    @property
    def unsettled(self):
        """Keys whose outcome is not known (the server went away)."""
        return [self._handing] if self._handing is not None else []

    def send(self, key, sender, recipients, message):
        """Send ``message`` (bytes, or an ``EmailMessage``) from ``sender``
        to ``recipients``; return the outcomes known by now."""
        return self._one_at_a_time(key, sender, recipients, message, [])

    def _one_at_a_time(self, key, sender, recipients, message, settled):
        self.on_content(key, list(settled))
        self._handing = key
        try:
            self.hand_over(sender, recipients, message)
        except smtplib.SMTPServerDisconnected:
            raise
        except Exception as error:  # this message's outcome, whatever failed
            outcome = (key, error)
        else:
            outcome = (key, None)
        self._handing = None
        return [outcome]

    def finish(self):
        """Read every reply still due; return those outcomes."""
        return []


class Sender(Lockstep):
    """Hands messages to an open, connected ``smtplib.SMTP`` session,
    pipelined when the server announces it."""

    def __init__(self, session, on_content):
        super().__init__(self._smtplib_hand_over, on_content)
        self.session = session
        session.ehlo_or_helo_if_needed()
        self.pipelining = session.has_extn("pipelining")
        self._envelope = None  # (key, sender, recipients, data): replies unread
        self._head = None  # ("content", key) or ("rset", None): reply unread

    @property
    def unsettled(self):
        keys = super().unsettled
        if self._head and self._head[0] == "content":
            keys.append(self._head[1])
        if self._envelope:
            keys.append(self._envelope[0])
        return keys

    def send(self, key, sender, recipients, message):
        if not self.pipelining or not _ascii(sender, *recipients):
            # An envelope that needs SMTPUTF8: smtplib knows how.
            settled = self.finish()
            return settled + self._one_at_a_time(
                key, sender, recipients, message, settled
            )
        data = message if isinstance(message, bytes) else flatten(message)
        settled, out = self._settle()
        self._envelope = (key, sender, recipients, data)
        self._write(out + self._envelope_commands(sender, recipients, data))
        return settled

    def finish(self):
        settled, out = self._settle()
        if out:
            self._write(out)
        if self._head:
            settled += self._read_head()
        return settled

    def _smtplib_hand_over(self, sender, recipients, message):
        if isinstance(message, bytes):
            self.session.sendmail(sender, recipients, message)
        else:
            self.session.send_message(message, sender, recipients)

    def _settle(self):
        """Read the replies to the last write; return the outcomes and the
        bytes to send next (the content of a message its envelope let go)."""
        settled = self._read_head() if self._head else []
        if not self._envelope:
            return settled, b""
        key, sender, recipients, data = self._envelope
        error = self._read_envelope(sender, recipients)
        self._envelope = None
        if error is not None:
            settled.append((key, error))
            self._head = ("rset", None)  # a refused envelope may leave MAIL set
            return settled, b"RSET" + CRLF
        self.on_content(key, list(settled))
        self._head = ("content", key)
        return settled, content(data)

    def _read_head(self):
        kind, key = self._head
        code, text = self.session.getreply()
        self._head = None
        if kind == "rset":
            return []
        if code == 250:
            return [(key, None)]
        return [(key, smtplib.SMTPDataError(code, text))]

    def _read_envelope(self, sender, recipients):
        """Read the replies to MAIL, each RCPT and DATA; return the error
        ``smtplib.sendmail`` would raise, or None when DATA was let go."""
        mail = self.session.getreply()
        refused = {}
        for recipient in recipients:
            code, text = self.session.getreply()
            if code not in {250, 251}:
                refused[recipient] = (code, text)
        code, text = self.session.getreply()
        if code == 354:
            if mail[0] == 250 and len(refused) < len(recipients):
                return None
            # A server that lets DATA go without a sender or recipient: end
            # the empty message at once.
            self._write(b"." + CRLF)
            self.session.getreply()
        if mail[0] != 250:
            return smtplib.SMTPSenderRefused(*mail, sender)
        if len(refused) == len(recipients):
            return smtplib.SMTPRecipientsRefused(refused)
        return smtplib.SMTPDataError(code, text)

    def _envelope_commands(self, sender, recipients, data):
        options = ""
        if self.session.has_extn("size"):
            options = f" SIZE={len(data)}"
        commands = [f"MAIL FROM:{smtplib.quoteaddr(sender)}{options}"]
        commands += [f"RCPT TO:{smtplib.quoteaddr(rcpt)}" for rcpt in recipients]
        commands.append("DATA")
        return ("\r\n".join(commands) + "\r\n").encode("ascii")

    def _write(self, data):
        self.session.send(data)


def _ascii(*addresses):
    return all(address.isascii() for address in addresses)
