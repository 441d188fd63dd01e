"""A small OpenID provider for unsilo's single sign-on tests: django-oauth-toolkit with OIDC
(RS256, PKCE, a groups claim) in a process of its own, on a loopback port the OS picks.

    python tests/oidc_provider/serve.py --data DIR [--control-key KEY]

prints `listening on http://127.0.0.1:PORT` once it answers. It is test equipment: unsilo never
imports it (the `idp` package lives only on this script's path). The control endpoints under
/control/ (users, groups, disabling, key rotation, a rogue signing key) need the control key.
"""

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, help="a directory for its SQLite database")
    parser.add_argument("--control-key", default="control")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    os.environ["DJANGO_SETTINGS_MODULE"] = "idp.settings"
    os.environ["IDP_DATA"] = args.data
    os.environ["IDP_CONTROL_KEY"] = args.control_key

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)

    from idp.wsgi import application
    from waitress.server import create_server

    server = create_server(application, host="127.0.0.1", port=args.port, threads=4,
                           ident="oidc-test-provider")
    print(f"listening on http://127.0.0.1:{server.effective_port}", flush=True)
    server.run()


if __name__ == "__main__":
    main()
