"""A real SMTP server for the tests: aiosmtpd on a free loopback port, keeping what it accepts."""

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailServer:
    """The aiosmtpd handler and its controller. Set `refuse_from` to answer `refusal` to every
    message after that many (a server failing part way), `drop_from` to cut the connection
    instead, `refused_recipients` to refuse some addresses at RCPT, `refused_at_data` to refuse
    messages to some addresses after their data, and `on_message` to run something as each
    message is accepted. `options` go to aiosmtpd's Controller (TLS contexts, authentication);
    `tls` says for each message taken whether it came over TLS."""

    host = "127.0.0.1"

    def __init__(self, **options) -> None:
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.recipients: list[str] = []
        self.refuse_from: int | None = None
        self.refusal = "451 4.3.0 Try again later"
        self.drop_from: int | None = None
        self.refused_recipients: dict[str, str] = {}
        self.refused_at_data: dict[str, str] = {}
        self.on_message = None
        self.connections = 0
        self.tls: list[bool] = []
        self.port = free_port()
        self.controller = Controller(self, hostname=self.host, port=self.port, **options)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.drop_from is not None and len(self.messages) >= self.drop_from:
            server.transport.abort()
            return "421 4.3.2 Connection lost"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused_recipients:
            return self.refused_recipients[address]
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_from is not None and len(self.messages) >= self.refuse_from:
            return self.refusal
        for address in envelope.rcpt_tos:
            if address in self.refused_at_data:
                return self.refused_at_data[address]
        self.tls.append(server.transport.get_extra_info("ssl_object") is not None)
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        self.raw.append(envelope.original_content or envelope.content)
        self.recipients.extend(envelope.rcpt_tos)
        if self.on_message:
            self.on_message(message)
        return "250 2.0.0 OK"

    def __enter__(self) -> "MailServer":
        self.controller.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.controller.stop()
