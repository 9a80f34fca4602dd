"""Who may run admin commands (/reindex, /add): Manage Server, or the configured admin role."""

from __future__ import annotations

from collections.abc import Iterable

import discord


def is_admin(
    permissions: discord.Permissions,
    roles: Iterable[discord.abc.Snowflake],
    admin_role: str | None,
) -> bool:
    """True for members with Manage Server (or Administrator) or the configured role.

    ``admin_role`` is a role id or a role name (names compare case-insensitively).
    """
    if permissions.manage_guild or permissions.administrator:
        return True
    if not admin_role:
        return False
    wanted = admin_role.strip()
    for role in roles:
        if wanted.isdigit() and role.id == int(wanted):
            return True
        name = getattr(role, "name", None)
        if isinstance(name, str) and name.casefold() == wanted.casefold():
            return True
    return False


def refusal_message(admin_role: str | None) -> str:
    """Why a non-admin cannot add articles or re-index, and who can."""
    who = "members with the Manage Server permission"
    if admin_role:
        label = f"<@&{admin_role}>" if admin_role.strip().isdigit() else f"“{admin_role}”"
        who += f" or the {label} role"
    return f"Only {who} can add articles or re-index them."
