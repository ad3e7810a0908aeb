"""Who is calling the web face, over HTTP: bearer tokens and session cookies resolved to a principal,
the role each route needs, and CSRF checks. The accounts themselves (users, sessions, tokens, passwords,
login limits) are `headwater.accounts`, which the CLI uses too.
"""
