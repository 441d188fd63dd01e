"""Single sign-on through the company's OpenID provider (docs/deploy.md)."""
