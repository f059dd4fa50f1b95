"""A user name and password in a mirror URL: used, and never shown.

A school's mirror may sit behind a password: ``http://class:secret@host/``.
urllib does not read credentials from a URL (it takes ``class:secret@host``
for the host name), so they are taken out of the address and sent as HTTP
Basic authentication; and every message, log line and file on disk shows the
URL with the password replaced.

>>> shown("http://class:secret@10.0.0.5:8000/mirror/mnist/mnist.npz")
'http://class:***@10.0.0.5:8000/mirror/mnist/mnist.npz'
>>> address("http://class:secret@10.0.0.5:8000/m")
('http://10.0.0.5:8000/m', 'Basic Y2xhc3M6c2VjcmV0')
"""

from __future__ import annotations

import base64
import re
import urllib.parse

# user[:password]@ right after the scheme: the one place a URL holds them
_USERINFO = re.compile(r"^(?P<scheme>[A-Za-z][\w+.-]*://)(?P<info>[^/@]*)@")


def shown(text: str) -> str:
    """``text`` (a URL, or a message holding URLs) with every password in a
    URL replaced by ``***``; the user name stays, to say who was refused."""

    def hide(match: re.Match) -> str:
        user, has_password, _ = match["info"].partition(":")
        return f"{match['scheme']}{user}{':***' if has_password else ''}@"

    return re.sub(
        r"[A-Za-z][\w+.-]*://[^/@\s]*@",
        lambda m: hide(_USERINFO.match(m.group(0))),
        text,
    )


def address(url: str) -> tuple[str, str | None]:
    """The URL without its credentials, and the ``Authorization`` header
    value they make (None when the URL holds none)."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port is not None else "")
    bare = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    user = urllib.parse.unquote(parts.username or "")
    password = urllib.parse.unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return bare, f"Basic {token}"
