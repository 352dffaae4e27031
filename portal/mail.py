"""The console e-mail backend a newcomer reads (`make run`, README "Messages").

Django's console backend prints the raw MIME message, whose Chinese subject is base64
(=?utf-8?b?…?=) and unreadable in a terminal. This one prints the same message as a person
reads it: recipients, subject and body in plain text. Production sends through SMTP
(EMAIL_URL), where the encoded form is what mail servers expect.
"""

from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend


class ConsoleBackend(DjangoConsoleBackend):
    """Writes each message as 收件者／主旨／body, then a rule of 79 dashes (Django's separator)."""

    def write_message(self, message):
        self.stream.write(f"收件者：{', '.join(message.to)}\n主旨：{message.subject}\n\n{message.body}\n")
        self.stream.write("-" * 79)
        self.stream.write("\n")
