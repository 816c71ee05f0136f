"""Supervisors manage their center in the app: accounts, hotlists, agencies, intake sources and device keys.

Every page asks `rtcc.roles` (MANAGE_* capabilities, `assignable_roles`, `may_manage_user`); every change goes
through `rtcc.manage.services`, which re-checks those rules and writes the audit log. Django admin is for
superusers alone.
"""
