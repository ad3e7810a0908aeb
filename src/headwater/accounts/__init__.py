"""Accounts: who may use Headwater's faces — people (argon2 passwords, sessions, roles) and machines
(hashed API tokens) — and the login rate limit.

The CLI manages them (`headwater users`, `headwater tokens`) and the web face checks them; neither holds
this logic itself. Every change is written to the audit trail.
"""
